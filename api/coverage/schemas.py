"""Bodies of the coverage endpoints."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from marshmallow import validate

from api.coverage import catalogue
from api.coverage.verdict import ACTIONS, VERDICTS
from api.fields import ID_RANGE, BoundedDate, UtcDateTime
from api.models import DenialReason
from api.schema_rules import rules

ID: dict[str, Any] = {"validate": ID_RANGE}
CENTS: dict[str, Any] = {"validate": validate.Range(min=0, max=10**9)}


@rules(oneOf=[{"required": ["member_coverage_id"]}, {"required": ["plan_id"]}])
class CoverageCheckSchema(ma.Schema):
    """The visit to check, for a member (with this year's spending) or for a plan alone: exactly one of the two."""

    member_coverage_id = ma.fields.Integer(
        **ID, metadata={"description": "Your member record (see /v1/coverage/members)", "example": 3}
    )
    plan_id = ma.fields.Integer(**ID)
    specialist_id = ma.fields.Integer(required=True, **ID, metadata={"example": 42})
    practice_location_id = ma.fields.Integer(**ID, metadata={"description": "Default: the specialist's first location"})
    service = ma.fields.String(load_default=catalogue.DEFAULT_SERVICE, validate=validate.OneOf(catalogue.codes()))
    referral_id = ma.fields.Integer(**ID, metadata={"description": "A SecondLook referral to this specialist"})
    referral_number = ma.fields.String(
        validate=validate.Length(min=1, max=64),
        metadata={"description": "The plan's referral number, when the referral was made outside SecondLook"},
    )
    prior_authorization_number = ma.fields.String(validate=validate.Length(min=1, max=64))

    @ma.validates_schema
    def _member_or_plan(self, data, **_):
        if ("member_coverage_id" in data) == ("plan_id" in data):
            raise ma.ValidationError("Give exactly one of member_coverage_id and plan_id.", "plan_id")


class EstimateSchema(ma.Schema):
    """The patient's estimated share, in integer cents, and how it was reached."""

    basis = ma.fields.String(metadata={"example": "in_network"})
    allowed_cents = ma.fields.Integer()
    deductible_cents = ma.fields.Integer()
    copay_cents = ma.fields.Integer()
    coinsurance_cents = ma.fields.Integer()
    balance_billing_cents = ma.fields.Integer()
    oop_cap_savings_cents = ma.fields.Integer()
    patient_cents = ma.fields.Integer()
    plan_cents = ma.fields.Integer()


class NextStepSchema(ma.Schema):
    """What to do now."""

    action = ma.fields.String(validate=validate.OneOf(ACTIONS))
    detail = ma.fields.String()
    self_pay_price_cents = ma.fields.Integer(allow_none=True)


class VerdictSchema(ma.Schema):
    """A coverage verdict (also carried per candidate by match results when a plan is given)."""

    verdict = ma.fields.String(validate=validate.OneOf(VERDICTS))
    in_network = ma.fields.Boolean()
    estimate = ma.fields.Nested(EstimateSchema, allow_none=True)
    next_step = ma.fields.Nested(NextStepSchema)
    reasons = ma.fields.List(ma.fields.String())


class CoverageAnswerSchema(VerdictSchema):
    """The answer of POST /v1/coverage/check."""

    plan = ma.fields.Dict(metadata={"example": {"id": 3, "name": "Synthetic HMO Gold", "plan_type": "HMO"}})
    specialist_id = ma.fields.Integer()
    practice_location_id = ma.fields.Integer()
    service = ma.fields.Dict(metadata={"example": {"code": "consultation", "cpt": "99204"}})
    member = ma.fields.Dict(allow_none=True)
    disclaimer = ma.fields.String()


class MemberCoverageSchema(ma.Schema):
    """Your plan for a plan year and what you have paid towards it."""

    id = ma.fields.Integer(dump_only=True)
    plan_id = ma.fields.Integer(required=True, **ID, metadata={"example": 2})
    plan_year = ma.fields.Integer(
        required=True, validate=validate.Range(min=2000, max=2100), metadata={"example": 2026}
    )
    deductible_met_cents = ma.fields.Integer(load_default=0, **CENTS)
    oop_met_cents = ma.fields.Integer(load_default=0, **CENTS)


class PlanRulesSchema(ma.Schema):
    """A plan's coverage rules."""

    plan_id = ma.fields.Integer()
    plan_type = ma.fields.String()
    network_ids = ma.fields.List(ma.fields.Integer())
    second_opinion_covered = ma.fields.Boolean()
    referral_required = ma.fields.Boolean()
    copay_cents = ma.fields.Integer(allow_none=True)
    coinsurance_pct = ma.fields.Integer()
    deductible_cents = ma.fields.Integer()
    oop_max_cents = ma.fields.Integer(allow_none=True)
    out_of_network_covered = ma.fields.Boolean()
    oon_coinsurance_pct = ma.fields.Integer()
    oon_deductible_cents = ma.fields.Integer()
    prior_authorization = ma.fields.List(
        ma.fields.Dict(), metadata={"example": [{"specialty": "204F00000X", "service": None}]}
    )


class DenialSchema(ma.Schema):
    """An insurer's refusal recorded on a case."""

    id = ma.fields.Integer(dump_only=True)
    case_id = ma.fields.Integer(dump_only=True)
    plan_id = ma.fields.Integer(dump_only=True, allow_none=True)
    reason = ma.fields.Enum(DenialReason, by_value=True, required=True)
    reason_detail = ma.fields.String(
        validate=validate.Length(max=2000),
        allow_none=True,
        metadata={"description": "The insurer's wording, if you want it in the appeal"},
    )
    denied_on = BoundedDate(required=True)
    reference = ma.fields.String(
        required=True,
        validate=validate.Length(min=1, max=64),
        metadata={"description": "The insurer's claim or case number", "example": "CLM-2026-44817"},
    )
    created_at = UtcDateTime(dump_only=True)
    next_steps = ma.fields.List(
        ma.fields.Dict(),
        dump_only=True,
        metadata={
            "example": [
                {"action": "self_pay", "detail": "..."},
                {"action": "appeal", "href": "/v1/cases/1/denials/1/appeal-letter"},
            ]
        },
    )


class AppealLetterSchema(ma.Schema):
    """A drafted appeal letter, plain text, for the patient to review, sign and send."""

    subject = ma.fields.String(metadata={"example": "Appeal of denied specialist consultation, member M123"})
    body = ma.fields.String(metadata={"example": "To the appeals department: I am writing to appeal ..."})
