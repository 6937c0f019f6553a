"""Bodies of the opinion, comparison and case-conference endpoints."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import validate

from api.cases.opinions import AGREE, DIFFERENT_DIAGNOSIS, DIFFERENT_TREATMENT, classify
from api.cases.schemas import TEXT, CaseConditionSchema, UtcDateTime
from api.fields import ID_RANGE
from api.matching.schemas import MATCH_RESPONSE_SCHEMA

CLASSIFICATIONS = (AGREE, DIFFERENT_DIAGNOSIS, DIFFERENT_TREATMENT)


class AnswerSchema(ma.Schema):
    """The specialist's answer to one of the patient's questions (numbered from 0, in the case's order)."""

    question_index = ma.fields.Integer(required=True, validate=validate.Range(min=0, max=19), metadata={"example": 0})
    answer = ma.fields.String(required=True, validate=TEXT, metadata={"example": "Not at this stage."})


class OpinionCreateSchema(ma.Schema):
    """A written second opinion."""

    diagnosis_codes = ma.fields.List(
        ma.fields.Nested(CaseConditionSchema), load_default=list, validate=validate.Length(max=20)
    )
    agrees_with_diagnosis = ma.fields.Boolean(required=True)
    agrees_with_treatment = ma.fields.Boolean(required=True)
    recommended_plan = ma.fields.String(
        required=True,
        validate=validate.Length(min=1, max=20000),
        metadata={"example": "ATRA plus arsenic trioxide, no chemotherapy."},
    )
    alternatives = ma.fields.List(ma.fields.String(validate=TEXT), load_default=list, validate=validate.Length(max=20))
    clinical_trials = ma.fields.List(
        ma.fields.String(
            validate=validate.Regexp(r"^NCT\d{8}$", error="Use a ClinicalTrials.gov id like NCT01234567.")
        ),
        load_default=list,
        validate=validate.Length(max=20),
        metadata={"example": ["NCT01234567"]},
    )
    answers = ma.fields.List(ma.fields.Nested(AnswerSchema), load_default=list, validate=validate.Length(max=20))


class OpinionSchema(OpinionCreateSchema):
    """A delivered opinion and how it stands to the first physician's."""

    id = ma.fields.Integer(dump_only=True)
    referral_id = ma.fields.Integer(dump_only=True)
    case_id = ma.fields.Integer(dump_only=True)
    specialist_id = ma.fields.Integer(dump_only=True, allow_none=True)
    delivered_at = UtcDateTime(dump_only=True)
    classification = ma.fields.Function(
        classify, dump_only=True, metadata={"enum": list(CLASSIFICATIONS), "example": "different_diagnosis"}
    )


class OpinionSummarySchema(ma.Schema):
    """Whose opinion a comparison column is, and its classification."""

    opinion_id = ma.fields.Integer()
    referral_id = ma.fields.Integer()
    specialist_id = ma.fields.Integer(allow_none=True)
    specialist_name = ma.fields.String(allow_none=True, metadata={"example": "Dr. Jane Roe, MD"})
    institution_id = ma.fields.Integer(allow_none=True)
    classification = ma.fields.String(metadata={"enum": list(CLASSIFICATIONS)})


class ComparisonRowSchema(ma.Schema):
    """One field across the first physician and every opinion."""

    field = ma.fields.String(metadata={"example": "diagnosis"})
    values = ma.fields.List(ma.fields.Raw(allow_none=True), metadata={"description": "Aligned with `columns`"})
    differs = ma.fields.Boolean()


class TieBreakerSchema(ma.Schema):
    """A fresh match excluding every consulted specialist, the first physician and their institutions."""

    excluded_specialist_ids = ma.fields.List(ma.fields.Integer())
    excluded_institution_ids = ma.fields.List(ma.fields.Integer())
    match = ma.fields.Nested(MATCH_RESPONSE_SCHEMA)


class ComparisonSchema(ma.Schema):
    """The opinions side by side, whether they conflict, and a tie-breaker proposal when they do."""

    case_id = ma.fields.Integer()
    conflict = ma.fields.Boolean()
    opinions = ma.fields.List(ma.fields.Nested(OpinionSummarySchema))
    columns = ma.fields.List(ma.fields.String(), metadata={"example": ["first_physician", "opinion:12", "opinion:15"]})
    rows = ma.fields.List(ma.fields.Nested(ComparisonRowSchema))
    tie_breaker = ma.fields.Nested(TieBreakerSchema, allow_none=True)


def _two_different(ids: list[int]) -> None:
    """The two specialists of a conference are two people (the schema says uniqueItems)."""
    if len(set(ids)) != len(ids):
        raise ma.ValidationError("Name two different specialists.")


class ConferenceCreateSchema(ma.Schema):
    """Two specialists who accepted the case, asked to review it together."""

    specialist_ids = ma.fields.List(
        ma.fields.Integer(validate=ID_RANGE),
        required=True,
        validate=[validate.Length(equal=2), _two_different],
        metadata={"example": [101, 202], "uniqueItems": True},
    )
    note = ma.fields.String(validate=TEXT, metadata={"example": "The opinions differ on the diagnosis."})


class ConferenceSchema(ma.Schema):
    """A case-conference request."""

    id = ma.fields.Integer()
    case_id = ma.fields.Integer()
    requested_by_user_id = ma.fields.Integer(allow_none=True)
    specialist_ids = ma.fields.Function(lambda c: [c.first_specialist_id, c.second_specialist_id])
    note = ma.fields.String(allow_none=True)
    status = ma.fields.String(metadata={"example": "requested"})
    created_at = UtcDateTime()
