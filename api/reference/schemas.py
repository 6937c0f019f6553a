"""Shapes of the reference endpoints."""

import marshmallow as ma
from marshmallow import validate


class SpecialtySchema(ma.Schema):
    """A NUCC taxonomy code of a physician specialty."""

    code = ma.fields.String(metadata={"example": "207RX0202X"})
    display = ma.fields.String(metadata={"example": "Medical Oncology"})
    classification = ma.fields.String(metadata={"example": "Internal Medicine"})
    specialization = ma.fields.String(allow_none=True, metadata={"example": "Medical Oncology"})
    family = ma.fields.String(metadata={"example": "oncology"})


class ConditionQuerySchema(ma.Schema):
    """Autocomplete arguments."""

    q = ma.fields.String(required=True, validate=validate.Length(min=2, max=100), metadata={"example": "leukem"})
    system = ma.fields.String(validate=validate.OneOf(["ICD-10-CM", "ORPHA"]))
    limit = ma.fields.Integer(load_default=20, validate=validate.Range(min=1, max=100))


class ConditionSchema(ma.Schema):
    """A coded condition."""

    system = ma.fields.String(metadata={"example": "ORPHA"})
    code = ma.fields.String(metadata={"example": "520"})
    key = ma.fields.String(metadata={"example": "ORPHA:520"})
    name = ma.fields.String(metadata={"example": "Acute promyelocytic leukemia"})
    rare = ma.fields.Boolean()
    specialties = ma.fields.List(
        ma.fields.String(),
        metadata={
            "description": "NUCC codes of every treating specialty, primary treaters first",
            "example": ["207RH0003X", "2080P0207X", "207RH0000X", "207RX0202X"],
        },
    )
    primary_specialties = ma.fields.List(
        ma.fields.String(),
        metadata={
            "description": "The specialties whose board scope names the condition (the rest share its care)",
            "example": ["207RH0003X", "2080P0207X", "207RH0000X"],
        },
    )
    synonyms = ma.fields.List(
        ma.fields.String(),
        metadata={
            "description": "Other names: ICD-10-CM inclusion terms and common lay terms or abbreviations",
            "example": ["APL"],
        },
    )


class GeocodeQuerySchema(ma.Schema):
    """A ZIP code or "City, ST"."""

    q = ma.fields.String(required=True, validate=validate.Length(min=2, max=200), metadata={"example": "55905"})


class PlaceSchema(ma.Schema):
    """A geocoded place."""

    label = ma.fields.String(metadata={"example": "Rochester, MN 55905"})
    lat = ma.fields.Float(metadata={"example": 44.0225})
    lon = ma.fields.Float(metadata={"example": -92.4668})
    zip = ma.fields.String(allow_none=True)
    city = ma.fields.String(allow_none=True)
    state = ma.fields.String(allow_none=True)


class GeocodeResultSchema(ma.Schema):
    """Places matching the query, best first."""

    query = ma.fields.String()
    results = ma.fields.List(ma.fields.Nested(PlaceSchema))
