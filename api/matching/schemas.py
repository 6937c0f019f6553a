"""The body of POST /v1/matches (a case without the patient's identity) and the answer's shape."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import validate

from api.coverage.schemas import VerdictSchema
from api.fields import CONDITION_CODE_DOC, ID_RANGE, INT32_MAX, language_field, validate_nucc, validate_zip
from api.schema_rules import rules
from reference import conditions as catalogue
from reference.populations import AGE_BANDS
from search.case import DEFAULT_LIMIT, DEFAULT_MAX_DISTANCE_MI, MAX_LIMIT, REASONS, SEXES, URGENCIES

LANGUAGE = language_field()


class ConditionRefSchema(ma.Schema):
    """A coded condition: ICD-10-CM or Orphanet (ORPHA)."""

    system = ma.fields.String(required=True, validate=validate.OneOf(catalogue.SYSTEMS), metadata={"example": "ORPHA"})
    code = ma.fields.String(required=True, validate=validate.Length(min=1, max=16), metadata=CONDITION_CODE_DOC)

    @ma.validates_schema
    def _known(self, data: dict, **_) -> None:
        if catalogue.lookup(data["system"], data["code"]) is None:
            raise ma.ValidationError(f"Unknown {data['system']} code; see GET /v1/reference/conditions.", "code")

    @ma.post_load
    def _canonical(self, data: dict, **_) -> dict:
        found = catalogue.lookup(data["system"], data["code"])
        assert found is not None, "_known refused unknown codes"
        return {"system": found.system, "code": found.code}


INSTITUTION_REF = {
    "oneOf": [
        {"type": "integer", "minimum": 1, "maximum": INT32_MAX},
        {"type": "string", "maxLength": 200, "pattern": r"\S"},
    ]
}


class InstitutionRefField(ma.fields.Field):
    """An institution to exclude, by directory id (integer) or by name (string, not blank)."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, float) and value.is_integer():
            value = int(value)  # JSON Schema's integer includes 3.0
        if isinstance(value, bool) or not isinstance(value, (int, str)):
            raise ma.ValidationError("Give an institution id or name.")
        if isinstance(value, int) and not 1 <= value <= INT32_MAX:
            raise ma.ValidationError("Not a valid id.")
        if isinstance(value, str) and not (value.strip() and len(value) <= 200):
            raise ma.ValidationError("An institution name is 1 to 200 characters.")
        return value.strip() if isinstance(value, str) else value


@rules(
    anyOf=[{"required": ["specialty"]}, {"required": ["conditions"], "properties": {"conditions": {"minItems": 1}}}],
    dependentRequired={"lat": ["lon"], "lon": ["lat"]},
    oneOf=[{"required": ["zip"]}, {"required": ["lat"]}, {"required": ["address"]}],
    **{"not": {"required": ["plan_id", "self_pay"], "properties": {"self_pay": {"const": True}}}},
    allOf=[{"not": {"required": ["age_years", "age_band"]}}],
)
class MatchRequestSchema(ma.Schema):
    """A case to match: codes, place, coverage and preferences. Nothing that identifies the patient.

    At least one condition or a specialty; exactly one place: zip, lat with lon, or address;
    plan_id or self_pay: true, not both; age_years or age_band, not both.
    """

    conditions = ma.fields.List(
        ma.fields.Nested(ConditionRefSchema), load_default=list, validate=validate.Length(max=10)
    )
    specialty = ma.fields.String(validate=validate_nucc, metadata={"example": "207RH0003X"})
    age_years = ma.fields.Integer(
        validate=validate.Range(min=0, max=124),
        metadata={
            "description": "The patient's age in whole years (never a birth date: this request is public)",
            "example": 58,
        },
    )
    age_band = ma.fields.String(
        validate=validate.OneOf(tuple(AGE_BANDS)),
        metadata={
            "description": "Instead of age_years: newborn (<28 days), infant (<1), child (1-12), adolescent (13-17), "
            "adult (18-64), older_adult (65+)",
            "example": "adult",
        },
    )
    sex = ma.fields.String(
        validate=validate.OneOf(SEXES),
        metadata={"description": "Sex assigned at birth, to check the condition codes fit", "example": "female"},
    )
    zip = ma.fields.String(validate=validate_zip, metadata={"example": "10001"})
    lat = ma.fields.Float(validate=validate.Range(min=-90, max=90))
    lon = ma.fields.Float(validate=validate.Range(min=-180, max=180))
    address = ma.fields.String(validate=validate.Length(min=3, max=200), metadata={"example": "Rochester, MN"})
    max_distance_mi = ma.fields.Float(load_default=DEFAULT_MAX_DISTANCE_MI, validate=validate.Range(min=1, max=3000))
    telehealth_ok = ma.fields.Boolean(load_default=False)
    plan_id = ma.fields.Integer(validate=ID_RANGE, metadata={"example": 3})
    self_pay = ma.fields.Boolean(load_default=False)
    languages = ma.fields.List(LANGUAGE, load_default=list, validate=validate.Length(max=10))
    exclude_specialist_ids = ma.fields.List(
        ma.fields.Integer(validate=ID_RANGE), load_default=list, validate=validate.Length(max=100)
    )
    exclude_institutions = ma.fields.List(
        InstitutionRefField(metadata=INSTITUTION_REF),
        load_default=list,
        validate=validate.Length(max=20),
        metadata={"example": ["Mount Sinai Hospital"]},
    )
    reason = ma.fields.String(load_default="other", validate=validate.OneOf(REASONS))
    urgency = ma.fields.String(load_default="routine", validate=validate.OneOf(URGENCIES))
    limit = ma.fields.Integer(load_default=DEFAULT_LIMIT, validate=validate.Range(min=1, max=MAX_LIMIT))

    @ma.validates_schema
    def _complete(self, data: dict, **_) -> None:
        if not data.get("conditions") and not data.get("specialty"):
            raise ma.ValidationError("Give at least one condition or a specialty.", "conditions")
        if ("lat" in data) != ("lon" in data):
            raise ma.ValidationError("Give lat and lon together.", "lon" if "lat" in data else "lat")
        places = sum(("zip" in data, "lat" in data, "address" in data))
        if places != 1:
            raise ma.ValidationError("Give exactly one of zip, lat and lon, or address.", "zip")
        if data.get("plan_id") is not None and data["self_pay"]:
            raise ma.ValidationError("Give plan_id or self_pay: true, not both.", "self_pay")
        if "age_years" in data and "age_band" in data:
            raise ma.ValidationError("Give age_years or age_band, not both.", "age_band")


class MatchSpecialtySchema(ma.Schema):
    """A NUCC specialty."""

    code = ma.fields.String(metadata={"example": "207RH0003X"})
    display = ma.fields.String(metadata={"example": "Hematology & Oncology"})


class MatchInstitutionSchema(ma.Schema):
    """Where the specialist works."""

    id = ma.fields.Integer()
    name = ma.fields.String()
    kind = ma.fields.String(metadata={"example": "academic_medical_center"})


class SpecialistSummarySchema(ma.Schema):
    """Public directory facts about the specialist."""

    id = ma.fields.Integer()
    npi = ma.fields.String(metadata={"example": "1234567893"})
    display_name = ma.fields.String(metadata={"example": "Dr. Jane Roe, MD"})
    primary_specialty = ma.fields.Nested(MatchSpecialtySchema, allow_none=True)
    specialties = ma.fields.List(ma.fields.Nested(MatchSpecialtySchema))
    institution = ma.fields.Nested(MatchInstitutionSchema, allow_none=True)
    languages = ma.fields.List(ma.fields.String())
    telehealth = ma.fields.Boolean()
    self_pay_price_cents = ma.fields.Integer(allow_none=True)
    rating = ma.fields.Float(allow_none=True)
    review_count = ma.fields.Integer()
    last_verified = ma.fields.String(allow_none=True, metadata={"example": "2025-01-15"})


class MatchLocationSchema(ma.Schema):
    """The specialist's best location for this case."""

    practice_location_id = ma.fields.Integer()
    city = ma.fields.String()
    state = ma.fields.String()
    zip = ma.fields.String()
    lat = ma.fields.Float()
    lon = ma.fields.Float()
    distance_mi = ma.fields.Float(allow_none=True, metadata={"example": 12.3})
    network_ids = ma.fields.List(ma.fields.Integer())
    next_available = ma.fields.String(allow_none=True)


class CandidateSchema(ma.Schema):
    """One ranked specialist."""

    specialist = ma.fields.Nested(SpecialistSummarySchema)
    location = ma.fields.Nested(MatchLocationSchema)
    score = ma.fields.Float(metadata={"example": 0.8347})
    score_breakdown = ma.fields.Dict(
        keys=ma.fields.String(),
        values=ma.fields.Float(),
        metadata={
            "description": "Weighted points per component; they sum to score",
            "example": {
                "expertise": 0.40,
                "coverage": 0.19,
                "distance": 0.06,
                "availability": 0.05,
                "quality": 0.09,
                "independence": 0.05,
            },
        },
    )
    reasons = ma.fields.List(
        ma.fields.String(),
        metadata={"example": ["treats ORPHA:520 (40 cases/yr)", "in network for Plan X at this location", "12 mi"]},
    )
    coverage_status = ma.fields.String(
        metadata={"description": "in_network | out_of_network_self_pay | self_pay | unknown", "example": "in_network"}
    )
    coverage = ma.fields.Nested(
        VerdictSchema,
        allow_none=True,
        metadata={"description": "When a plan is given: the coverage verdict, estimate and next step at this location"},
    )


class MatchResponseSchema(ma.Schema):
    """Ranked candidates, how many specialists qualified, and how long the match took."""

    candidates = ma.fields.List(ma.fields.Nested(CandidateSchema))
    total = ma.fields.Integer(metadata={"description": "Specialists meeting every hard constraint"})
    took_ms = ma.fields.Float()
    warnings = ma.fields.List(ma.fields.String())


MATCH_RESPONSE_SCHEMA = MatchResponseSchema
