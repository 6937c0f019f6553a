"""Bodies of the case and referral endpoints (marshmallow 4)."""

from __future__ import annotations

from datetime import date

import marshmallow as ma
from marshmallow import validate

from api.cases.referral_states import CLIENT_ACTIONS
from api.fields import (
    CONDITION_CODE_DOC,
    CONDITION_SYSTEMS,
    ID_RANGE,
    NPI_DOC,
    ZIP_PATTERN,
    BoundedDate,
    UtcDateTime,
    language_field,
    validate_npi,
    validate_nucc,
)
from api.identifiers import normalise_zip
from api.models import RecordKind, ReferralStatus
from api.pagination import PageQuerySchema, PageSchema
from api.schema_rules import rules
from reference import conditions as catalogue
from reference import zip_centroids
from reference.populations import age_in_years, age_range, implausible
from search.case import REASONS, URGENCIES

SYSTEMS = CONDITION_SYSTEMS
SEXES = ("female", "male", "other", "unknown")
LANGUAGE = language_field()
TEXT = validate.Length(min=1, max=5000)
KINDS = tuple(kind.value for kind in RecordKind)


KNOWN_ZIP_DOC = {"example": "10001", "pattern": ZIP_PATTERN, "description": "A US ZIP that GET /v1/geocode?q= knows"}


def _known_zip(value: str) -> None:
    zip5 = normalise_zip(value)
    if zip5 is None or zip_centroids.get(zip5) is None:
        raise ma.ValidationError("Unknown ZIP code.")


class CaseConditionSchema(ma.Schema):
    """A coded condition (ICD-10-CM or Orphanet); loads as (system, code) in the catalogue's spelling."""

    system = ma.fields.String(required=True, validate=validate.OneOf(SYSTEMS), metadata={"example": "ORPHA"})
    code = ma.fields.String(required=True, validate=validate.Length(min=1, max=16), metadata=CONDITION_CODE_DOC)
    name = ma.fields.Function(
        lambda c: getattr(catalogue.lookup(c["system"], c["code"]), "name", None),
        dump_only=True,
        metadata={"example": "Acute promyelocytic leukemia"},
    )

    @ma.post_load
    def _canonical(self, data: dict, **_) -> tuple[str, str]:
        found = catalogue.lookup(data["system"], data["code"])
        if found is None:
            raise ma.ValidationError(f"Unknown {data['system']} code {data['code']!r}.", "code")
        return found.system, found.code


class PatientSchema(ma.Schema):
    """The patient: their account (by id or e-mail; a patient opening a case may omit it) and demographics."""

    user_id = ma.fields.Integer(validate=ID_RANGE, metadata={"example": 7})
    email = ma.fields.Email(load_only=True, metadata={"example": "pat@example.test"})
    name = ma.fields.String(required=True, validate=validate.Length(min=1, max=200), metadata={"example": "Pat Doe"})
    birth_date = BoundedDate(required=True, metadata={"example": "1984-03-09", "description": "Not in the future"})
    sex = ma.fields.String(required=True, validate=validate.OneOf(SEXES), metadata={"example": "female"})
    zip = ma.fields.String(required=True, validate=_known_zip, metadata=KNOWN_ZIP_DOC)

    @ma.validates("birth_date")
    def _not_future(self, value: date, **_) -> None:
        if value > date.today():
            raise ma.ValidationError("A birth date cannot be in the future.")

    @ma.post_load
    def _zip5(self, data: dict, **_) -> dict:
        data["zip"] = normalise_zip(data["zip"])
        return data


class FirstPhysicianSchema(ma.Schema):
    """The physician whose diagnosis and treatment plan the patient wants a second opinion on."""

    name = ma.fields.String(validate=validate.Length(max=200), allow_none=True, metadata={"example": "Dr. Alex Kim"})
    npi = ma.fields.String(validate=validate_npi, allow_none=True, metadata={"example": "1234567893", **NPI_DOC})
    institution = ma.fields.String(
        validate=validate.Length(max=200), allow_none=True, metadata={"example": "Mercy General"}
    )
    diagnosis = ma.fields.String(required=True, validate=TEXT, metadata={"example": "Acute promyelocytic leukemia"})
    proposed_treatment = ma.fields.String(
        validate=TEXT, allow_none=True, metadata={"example": "ATRA plus chemotherapy"}
    )


@rules(
    oneOf=[
        {
            "required": ["self_pay"],
            "properties": {
                "self_pay": {"const": True},
                "plan_id": {"type": "null"},
                "prior_authorization_number": {"type": "null"},
            },
        },
        {
            "required": ["plan_id", "member_id"],
            "properties": {
                "self_pay": {"const": False},
                "plan_id": {"type": "integer"},
                "member_id": {"type": "string"},
            },
        },
    ]
)
class InsuranceSchema(ma.Schema):
    """A plan and member id, or self_pay: true (without a plan)."""

    self_pay = ma.fields.Boolean(load_default=False)
    plan_id = ma.fields.Integer(validate=ID_RANGE, allow_none=True, metadata={"example": 3})
    member_id = ma.fields.String(
        validate=validate.Length(min=1, max=64), allow_none=True, metadata={"example": "XZ123456789"}
    )
    prior_authorization_number = ma.fields.String(
        validate=validate.Length(min=1, max=64),
        allow_none=True,
        metadata={
            "example": "PA-2026-004512",
            "description": "The plan's approval of this second opinion, if it gave one (a plan only).",
        },
    )
    plan_name = ma.fields.String(dump_only=True, allow_none=True)
    plan_type = ma.fields.String(dump_only=True, allow_none=True, metadata={"example": "HMO"})

    @ma.validates_schema
    def _plan_or_self_pay(self, data: dict, **_) -> None:
        has_plan = data.get("plan_id") is not None and bool(data.get("member_id"))
        if data["self_pay"] == has_plan or (data["self_pay"] and data.get("plan_id") is not None):
            raise ma.ValidationError("Give plan_id and member_id, or self_pay: true (not both).", "_schema")
        if data["self_pay"] and data.get("prior_authorization_number"):
            raise ma.ValidationError(
                "A prior authorization comes from a plan, not with self_pay.", "prior_authorization_number"
            )


class PreferencesSchema(ma.Schema):
    """Consultation languages, telehealth and where the patient wants to be seen."""

    languages = ma.fields.List(
        LANGUAGE, load_default=list, validate=validate.Length(max=10), metadata={"example": ["en", "es"]}
    )
    telehealth = ma.fields.Boolean(load_default=True)
    zip = ma.fields.String(validate=_known_zip, allow_none=True, metadata=KNOWN_ZIP_DOC)
    max_distance_mi = ma.fields.Integer(
        validate=validate.Range(min=1, max=3000), allow_none=True, metadata={"example": 150}
    )

    @ma.post_load
    def _zip5(self, data: dict, **_) -> dict:
        if data.get("zip"):
            data["zip"] = normalise_zip(data["zip"])
        return data


class CaseCreateSchema(ma.Schema):
    """Case intake."""

    patient = ma.fields.Nested(PatientSchema, required=True)
    conditions = ma.fields.List(
        ma.fields.Nested(CaseConditionSchema), required=True, validate=validate.Length(min=1, max=20)
    )
    specialty = ma.fields.String(validate=validate_nucc, allow_none=True, metadata={"example": "207RH0003X"})
    first_physician = ma.fields.Nested(FirstPhysicianSchema, required=True)
    reasons = ma.fields.List(
        ma.fields.String(validate=validate.OneOf(REASONS)),
        required=True,
        validate=validate.Length(min=1, max=len(REASONS)),
        metadata={"example": ["rare_condition"]},
    )
    reason_note = ma.fields.String(validate=TEXT, allow_none=True)
    urgency = ma.fields.String(load_default="routine", validate=validate.OneOf(URGENCIES))
    insurance = ma.fields.Nested(InsuranceSchema, required=True)
    questions = ma.fields.List(
        ma.fields.String(validate=validate.Length(min=1, max=1000)),
        load_default=list,
        validate=validate.Length(max=20),
        metadata={"example": ["Is a transplant needed?"]},
    )
    goals = ma.fields.List(
        ma.fields.String(validate=validate.Length(min=1, max=1000)),
        load_default=list,
        validate=validate.Length(max=20),
        metadata={"example": ["Keep working during treatment"]},
    )
    preferences = ma.fields.Nested(PreferencesSchema, load_default=lambda: {"languages": [], "telehealth": True})
    copied_physician_ids = ma.fields.List(
        ma.fields.Integer(validate=ID_RANGE),
        load_default=list,
        validate=validate.Length(max=10),
        metadata={"description": "Referring physicians' accounts copied on the case"},
    )

    @ma.validates_schema
    def _codes_fit_the_patient(self, data: dict, **_) -> None:
        patient = data.get("patient") or {}
        if "birth_date" not in patient:
            return
        ages = age_range(age_in_years(patient["birth_date"], date.today()))
        for system, code in data.get("conditions", ()):
            why = implausible(system, code, patient.get("sex"), ages)
            if why:
                raise ma.ValidationError(why, "conditions")


class InvitationSchema(ma.Schema):
    """The patient's invitation to a physician's case: pending until they accept it."""

    status = ma.fields.String(metadata={"enum": ["pending", "accepted"], "example": "pending"})
    email = ma.fields.String(metadata={"example": "pat@example.test"})
    expires_at = UtcDateTime()
    accepted_at = UtcDateTime(allow_none=True)


class CaseSchema(CaseCreateSchema):
    """A case as its parties see it."""

    id = ma.fields.Integer(dump_only=True)
    created_by_user_id = ma.fields.Integer(dump_only=True)
    created_at = UtcDateTime(dump_only=True)
    status = ma.fields.String(dump_only=True, metadata={"enum": ["invited", "open", "closed"], "example": "open"})
    invitation = ma.fields.Nested(InvitationSchema, dump_only=True, allow_none=True)
    warnings = ma.fields.List(
        ma.fields.String(),
        dump_only=True,
        metadata={
            "description": "Shown first on every answer about an emergent case: do not wait for a second opinion"
        },
    )


class CaseQuerySchema(PageQuerySchema):
    """Pages of the caller's cases."""


class CasePageSchema(PageSchema):
    """One page of cases, newest first."""

    items = ma.fields.List(ma.fields.Nested(CaseSchema))


class CaseMatchQuerySchema(ma.Schema):
    """How many specialists to propose."""

    limit = ma.fields.Integer(load_default=10, validate=validate.Range(min=1, max=100))


class ReferralCreateSchema(ma.Schema):
    """Send the case to one or more specialists (or keep the referrals as drafts)."""

    specialist_ids = ma.fields.List(
        ma.fields.Integer(validate=ID_RANGE),
        required=True,
        validate=validate.Length(min=1, max=10),
        metadata={"example": [101, 202]},
    )
    note = ma.fields.String(validate=TEXT, metadata={"example": "Please review before we start induction."})
    send = ma.fields.Boolean(load_default=True, metadata={"description": "false keeps the referrals as drafts"})


class TransitionSchema(ma.Schema):
    """One action of the referral state table."""

    action = ma.fields.String(required=True, validate=validate.OneOf(CLIENT_ACTIONS), metadata={"example": "accept"})
    reason = ma.fields.String(validate=TEXT, metadata={"example": "Outside my practice's scope."})
    needed = ma.fields.List(
        ma.fields.String(validate=validate.OneOf(KINDS)),
        validate=validate.Length(max=len(KINDS)),
        metadata={"description": "request_info: the records needed", "example": ["imaging"]},
    )
    scheduled_for = UtcDateTime(metadata={"example": "2026-12-01T15:00:00+00:00"})


class ReferralEventSchema(ma.Schema):
    """One transition: who, from, to, when, why."""

    action = ma.fields.String(metadata={"example": "accept"})
    from_status = ma.fields.Enum(ReferralStatus, by_value=True, allow_none=True)
    to_status = ma.fields.Enum(ReferralStatus, by_value=True)
    business_status = ma.fields.String(allow_none=True)
    actor_user_id = ma.fields.Integer(allow_none=True)
    reason = ma.fields.String(allow_none=True)
    at = UtcDateTime()


class ReferralSchema(ma.Schema):
    """A referral and its history."""

    id = ma.fields.Integer()
    case_id = ma.fields.Integer()
    specialist_id = ma.fields.Integer(allow_none=True)
    sent_by_user_id = ma.fields.Integer()
    status = ma.fields.Enum(ReferralStatus, by_value=True)
    business_status = ma.fields.String(allow_none=True, metadata={"example": "info_requested"})
    info_needed = ma.fields.List(ma.fields.String())
    note = ma.fields.String(allow_none=True)
    decision_reason = ma.fields.String(allow_none=True)
    scheduled_for = UtcDateTime(allow_none=True)
    created_at = UtcDateTime()
    updated_at = UtcDateTime()
    events = ma.fields.List(ma.fields.Nested(ReferralEventSchema))
