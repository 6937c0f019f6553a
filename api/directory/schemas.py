"""Bodies and query arguments of the directory endpoints."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import validate

from api.fields import (
    CONDITION_CODE_DOC,
    CONDITION_SYSTEMS,
    ID_RANGE,
    INT32_MAX,
    NPI_DOC,
    BoundedDate,
    UtcDateTime,
    language_field,
    validate_npi,
    validate_nucc,
    validate_zip,
)
from api.pagination import PageQuerySchema, PageSchema
from api.schema_rules import rules
from reference.populations import POPULATIONS

SYSTEMS = CONDITION_SYSTEMS
LANGUAGE = language_field()


class SpecialtyIn(ma.Schema):
    """A NUCC taxonomy code held by the specialist."""

    code = ma.fields.String(required=True, validate=validate_nucc, metadata={"example": "207RX0202X"})
    primary = ma.fields.Boolean(load_default=False)


class SpecialtyOut(ma.Schema):
    """A specialty with its display name."""

    code = ma.fields.String(metadata={"example": "207RX0202X"})
    display = ma.fields.String(metadata={"example": "Medical Oncology"})
    primary = ma.fields.Boolean()


class ConditionExpertiseSchema(ma.Schema):
    """A condition the specialist treats and the evidence for it."""

    system = ma.fields.String(required=True, validate=validate.OneOf(SYSTEMS))
    code = ma.fields.String(required=True, validate=validate.Length(min=1, max=16), metadata=CONDITION_CODE_DOC)
    name = ma.fields.String(dump_only=True, metadata={"example": "Acute promyelocytic leukemia"})
    cases_per_year = ma.fields.Integer(load_default=0, validate=validate.Range(min=0, max=100000))
    publications = ma.fields.Integer(load_default=0, validate=validate.Range(min=0, max=100000))
    center_of_expertise = ma.fields.Boolean(load_default=False)


def _exactly_one_primary(specialties: list[dict]) -> None:
    if sum(1 for s in specialties if s.get("primary")) != 1:
        raise ma.ValidationError("Mark exactly one specialty as primary.")


def _merge_repeated(specialties: list[dict]) -> list[dict]:
    """A code listed twice is one specialty (primary if either mention says so), as the schema allows."""
    merged: dict[str, dict] = {}
    for specialty in specialties:
        kept = merged.setdefault(specialty["code"], dict(specialty))
        kept["primary"] = kept.get("primary", False) or specialty.get("primary", False)
    return list(merged.values())


# JSON Schema of `_exactly_one_primary`, for the OpenAPI document.
ONE_PRIMARY = {
    "properties": {
        "specialties": {
            "contains": {"required": ["primary"], "properties": {"primary": {"const": True}}},
            "minContains": 1,
            "maxContains": 1,
        }
    }
}


@rules(allOf=[ONE_PRIMARY])
class SpecialistWriteSchema(ma.Schema):
    """Fields an administrator sets on a specialist; exactly one of `specialties` is marked primary."""

    npi = ma.fields.String(required=True, validate=validate_npi, metadata={"example": "1234567893", **NPI_DOC})
    first_name = ma.fields.String(required=True, validate=validate.Length(min=1, max=100))
    last_name = ma.fields.String(required=True, validate=validate.Length(min=1, max=100))
    credentials = ma.fields.String(allow_none=True, validate=validate.Length(max=50), metadata={"example": "MD"})
    gender = ma.fields.String(allow_none=True, validate=validate.OneOf(["F", "M", "X"]))
    languages = ma.fields.List(LANGUAGE, load_default=lambda: ["en"], validate=validate.Length(max=20))
    board_certifications = ma.fields.List(
        ma.fields.String(validate=validate.Length(max=200)), load_default=list, validate=validate.Length(max=20)
    )
    bio = ma.fields.String(allow_none=True, validate=validate.Length(max=5000))
    institution_id = ma.fields.Integer(allow_none=True, validate=ID_RANGE)
    accepts_second_opinions = ma.fields.Boolean(load_default=True)
    telehealth = ma.fields.Boolean(load_default=False)
    population = ma.fields.String(
        allow_none=True,
        validate=validate.OneOf(POPULATIONS),
        metadata={
            "description": "Whom the specialist sees: pediatric, adult or all; null: as their NUCC codes imply",
            "example": "adult",
        },
    )
    licensed_states = ma.fields.List(
        ma.fields.String(validate=validate.Regexp(r"^[A-Z]{2}$")),
        validate=validate.Length(max=60),
        metadata={
            "description": "States of the specialist's medical licences (telehealth "
            "is offered only to patients in these states)",
            "example": ["NY", "NJ"],
        },
    )
    self_pay_price_cents = ma.fields.Integer(
        allow_none=True, validate=validate.Range(min=0, max=10_000_000), metadata={"example": 45000}
    )
    rating = ma.fields.Float(allow_none=True, validate=validate.Range(min=0, max=5))
    review_count = ma.fields.Integer(load_default=0, validate=validate.Range(min=0, max=INT32_MAX))
    data_source = ma.fields.String(load_default="manual", validate=validate.OneOf(["manual", "nppes", "synthetic"]))
    last_verified = BoundedDate(allow_none=True)
    specialties = ma.fields.List(
        ma.fields.Nested(SpecialtyIn), required=True, validate=[validate.Length(min=1, max=15), _exactly_one_primary]
    )
    conditions = ma.fields.List(
        ma.fields.Nested(ConditionExpertiseSchema), load_default=list, validate=validate.Length(max=200)
    )

    @ma.post_load
    def _one_row_per_specialty(self, data: dict, **_) -> dict:
        if "specialties" in data:
            data["specialties"] = _merge_repeated(data["specialties"])
        return data


class InstitutionOut(ma.Schema):
    """The institution or practice group."""

    id = ma.fields.Integer()
    name = ma.fields.String()
    kind = ma.fields.String(metadata={"example": "academic_medical_center"})
    health_system_id = ma.fields.Integer(
        allow_none=True,
        metadata={"description": "The parent organisation: institutions of one health system are affiliated"},
    )


class LocationSchema(ma.Schema):
    """A place where care is given."""

    id = ma.fields.Integer(dump_only=True)
    name = ma.fields.String(allow_none=True, validate=validate.Length(max=200))
    address_line = ma.fields.String(required=True, validate=validate.Length(min=1, max=200))
    city = ma.fields.String(required=True, validate=validate.Length(min=1, max=100))
    state = ma.fields.String(required=True, validate=validate.Regexp(r"^[A-Z]{2}$"))
    zip = ma.fields.String(required=True, validate=validate_zip, metadata={"example": "10001"})
    lat = ma.fields.Float(
        validate=validate.Range(min=-90, max=90), metadata={"description": "Geocoded from the ZIP when omitted"}
    )
    lon = ma.fields.Float(validate=validate.Range(min=-180, max=180))
    phone = ma.fields.String(allow_none=True, validate=validate.Length(max=20))
    accessibility = ma.fields.List(ma.fields.String(validate=validate.Length(max=64)), load_default=list)


class NetworkOut(ma.Schema):
    """A provider network."""

    id = ma.fields.Integer()
    code = ma.fields.String(metadata={"example": "SYN-ACME-PPO-NET"})
    name = ma.fields.String()


class PracticeLocationSchema(ma.Schema):
    """A specialist at a location, with the networks they are in there."""

    id = ma.fields.Integer(dump_only=True)
    location = ma.fields.Nested(LocationSchema, required=True)
    accepting_new_patients = ma.fields.Boolean(load_default=True)
    networks = ma.fields.List(ma.fields.Nested(NetworkOut), dump_only=True)


class PracticeLocationPatchSchema(ma.Schema):
    """Change whether the specialist takes new patients at a location."""

    accepting_new_patients = ma.fields.Boolean(required=True, metadata={"example": False})


class ParticipationIn(ma.Schema):
    """Put the specialist in a network at this location."""

    network_id = ma.fields.Integer(required=True, validate=ID_RANGE, metadata={"example": 5})


class SpecialistSchema(SpecialistWriteSchema):
    """A specialist as the directory shows it."""

    id = ma.fields.Integer(dump_only=True)
    specialties = ma.fields.List(ma.fields.Nested(SpecialtyOut))
    languages = ma.fields.List(ma.fields.String())
    institution = ma.fields.Nested(InstitutionOut, allow_none=True, dump_only=True)
    population = ma.fields.String(
        attribute="patient_population",
        dump_only=True,
        metadata={
            "description": (
                "Whom the specialist sees (pediatric, adult or all): as recorded, else as their NUCC codes imply"
            ),
            "example": "adult",
        },
    )
    locations = ma.fields.List(ma.fields.Nested(PracticeLocationSchema), dump_only=True)
    distance_mi = ma.fields.Float(
        dump_only=True, metadata={"description": "Miles to the nearest matching location, when searching near a point"}
    )
    created_at = UtcDateTime(dump_only=True)
    updated_at = UtcDateTime(dump_only=True)


@rules(minProperties=1, allOf=[ONE_PRIMARY])
class SpecialistPatchSchema(SpecialistWriteSchema):
    """Any non-empty subset of the writable fields (loaded with partial=True); lists replace what was there."""

    @ma.validates_schema(pass_original=True)
    def _changes_something(self, data: dict, original, **_) -> None:
        if not original:
            raise ma.ValidationError("Send at least one field to change.", "_schema")


@rules(dependentRequired={"lat": ["lon"], "lon": ["lat"]}, **{"not": {"required": ["zip", "lat"]}})
class SpecialistQuerySchema(PageQuerySchema):
    """Filters of GET /v1/specialists: lat and lon together, or zip, not both (published as x-query-rules)."""

    specialty = ma.fields.String(validate=validate_nucc, metadata={"example": "207RX0202X"})
    zip = ma.fields.String(validate=validate_zip, metadata={"example": "10001", "description": "Not with lat/lon"})
    lat = ma.fields.Float(validate=validate.Range(min=-90, max=90), metadata={"description": "With lon; not with zip"})
    lon = ma.fields.Float(validate=validate.Range(min=-180, max=180), metadata={"description": "With lat"})
    radius_mi = ma.fields.Float(load_default=25.0, validate=validate.Range(min=0.1, max=500))
    network = ma.fields.String(validate=validate.Length(max=64), metadata={"description": "Network code"})
    condition = ma.fields.String(
        validate=validate.Length(max=32),
        metadata={
            "description": "SYSTEM:CODE, e.g. ORPHA:520 or ICD-10-CM:C92.0: specialists "
            "who qualify for it as in POST /v1/matches (a treating specialty, "
            "the code, or a code in its ICD-10-CM category)"
        },
    )
    language = LANGUAGE
    telehealth = ma.fields.Boolean()
    q = ma.fields.String(validate=validate.Length(min=1, max=100), metadata={"description": "Name contains"})

    @ma.validates_schema
    def _point(self, data, **_):
        if ("lat" in data) != ("lon" in data):
            raise ma.ValidationError("Give both lat and lon.", "lat" if "lon" in data else "lon")
        if "zip" in data and "lat" in data:
            raise ma.ValidationError("Give zip or lat/lon, not both.", "zip")


class SpecialistPageSchema(PageSchema):
    """One page of specialists."""

    items = ma.fields.List(ma.fields.Nested(SpecialistSchema))
