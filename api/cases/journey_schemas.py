"""Bodies of the endpoints that carry a case through: invitation, inbox, timeline and the decision."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import validate

from api.case_permissions import SPECIALIST_VISIBLE
from api.cases.record_schemas import AuthorizationSchema, RecordDocumentSchema
from api.cases.schemas import CaseConditionSchema
from api.cases.timeline import STEPS
from api.fields import ID_RANGE, UtcDateTime
from api.models import ChosenPath, ReferralStatus
from api.pages import PageArgs, page_schema
from api.schema_rules import rules
from search.case import URGENCIES

STEP_NAMES = STEPS  # one list, in the order the timeline sorts by
INBOX_STATUSES = tuple(sorted(s.value for s in SPECIALIST_VISIBLE))


class InvitationAcceptSchema(ma.Schema):
    """The token from the invitation e-mail's link."""

    token = ma.fields.String(
        required=True,
        validate=validate.Length(min=16, max=200),
        metadata={"example": "l2Wm0C5p3bV0m2Xw9Kx7hQq4bJ1yN6eR8tU0iO3aS5d"},
    )


class InboxQuerySchema(PageArgs):
    """Which referrals to list, a page at a time."""

    status = ma.fields.List(
        ma.fields.String(validate=validate.OneOf(INBOX_STATUSES)),
        load_default=list,
        metadata={"description": "Only these statuses (repeat the parameter); default all"},
    )
    urgency = ma.fields.List(
        ma.fields.String(validate=validate.OneOf(URGENCIES)),
        load_default=list,
        metadata={"description": "Only these urgencies (repeat the parameter)"},
    )


class InboxCaseSchema(ma.Schema):
    """What the inbox shows of a case: enough to triage it (read the case for the rest)."""

    id = ma.fields.Integer()
    urgency = ma.fields.String(metadata={"example": "soon"})
    status = ma.fields.String(metadata={"example": "open"})
    specialty = ma.fields.String(allow_none=True)
    conditions = ma.fields.List(ma.fields.Nested(CaseConditionSchema))
    questions = ma.fields.Integer(metadata={"description": "How many questions the patient asks"})


class InboxItemSchema(ma.Schema):
    """A referral to me, its case, and the records I may read now."""

    referral_id = ma.fields.Integer()
    status = ma.fields.Enum(ReferralStatus, by_value=True)
    business_status = ma.fields.String(allow_none=True)
    info_needed = ma.fields.List(ma.fields.String())
    created_at = UtcDateTime()
    case = ma.fields.Nested(InboxCaseSchema)
    authorization = ma.fields.Nested(AuthorizationSchema, allow_none=True)
    documents = ma.fields.List(ma.fields.Nested(RecordDocumentSchema))
    warnings = ma.fields.List(ma.fields.String())


# One page of the inbox: emergent first, then soon, then routine; oldest first within each.
InboxPageSchema = page_schema(InboxItemSchema, "InboxPage")


class TimelineEntrySchema(ma.Schema):
    """One step of the case: what, when and who."""

    step = ma.fields.String(metadata={"enum": list(STEP_NAMES), "example": "referred"})
    at = UtcDateTime()
    actor_role = ma.fields.String(allow_none=True, metadata={"example": "referring_physician"})
    actor_name = ma.fields.String(allow_none=True, metadata={"example": "Dr. Alex Kim"})
    referral_id = ma.fields.Integer(allow_none=True)
    specialist_id = ma.fields.Integer(allow_none=True)
    specialist_name = ma.fields.String(allow_none=True, metadata={"example": "Dr. Jane Roe, MD"})
    detail = ma.fields.Dict(metadata={"description": "path and physician (chosen_path); booking_id (booked, paid)"})


class TimelineSchema(ma.Schema):
    """A case's steps, oldest first."""

    case_id = ma.fields.Integer()
    status = ma.fields.String(metadata={"example": "open"})
    warnings = ma.fields.List(ma.fields.String())
    entries = ma.fields.List(ma.fields.Nested(TimelineEntrySchema))


@rules(oneOf=[{"required": ["physician_user_id"]}, {"required": ["specialist_id"]}])
class DecisionCreateSchema(ma.Schema):
    """The path the patient chose and the physician they continue with (a referring physician or a specialist)."""

    path = ma.fields.String(
        required=True, validate=validate.OneOf([p.value for p in ChosenPath]), metadata={"example": "tie_breaker"}
    )
    opinion_id = ma.fields.Integer(
        validate=ID_RANGE, metadata={"description": "The opinion followed (second_opinion, tie_breaker)", "example": 12}
    )
    physician_user_id = ma.fields.Integer(
        validate=ID_RANGE, metadata={"description": "A referring physician's account"}
    )
    specialist_id = ma.fields.Integer(validate=ID_RANGE, metadata={"description": "A specialist who took the case on"})

    @ma.validates_schema
    def _one_physician(self, data: dict, **_) -> None:
        if (data.get("physician_user_id") is None) == (data.get("specialist_id") is None):
            raise ma.ValidationError(
                "Name the physician you continue with: physician_user_id or specialist_id.", "_schema"
            )


class DecisionSchema(ma.Schema):
    """The recorded decision; the case is closed."""

    id = ma.fields.Integer()
    case_id = ma.fields.Integer()
    path = ma.fields.Enum(ChosenPath, by_value=True)
    opinion_id = ma.fields.Integer(allow_none=True)
    physician_user_id = ma.fields.Integer()
    decided_by_user_id = ma.fields.Integer()
    decided_at = UtcDateTime()
