"""Endpoints that carry a case through: the patient's acceptance, the specialist's inbox, the timeline, the decision."""

from __future__ import annotations

from dataclasses import asdict

from flask.views import MethodView
from flask_smorest import Blueprint

from api.auth.identity import REASON_PARAMETER, access_reason, secured
from api.case_permissions import roles_for
from api.cases import consent, decision, inbox, timeline
from api.cases.journey_schemas import (
    DecisionCreateSchema,
    DecisionSchema,
    InboxPageSchema,
    InboxQuerySchema,
    InvitationAcceptSchema,
    TimelineSchema,
)
from api.cases.present import case_view, case_warnings
from api.cases.schemas import CaseSchema
from api.models import Role
from api.unit_of_work import unit_of_work

ID = "id"
blp = Blueprint(
    "journey",
    __name__,
    url_prefix="/v1",
    description="A case carried through: the patient's consent, the specialist's inbox, the timeline "
    "and the patient's decision",
)


@blp.route("/case-invitations/accept")
class InvitationAccept(MethodView):
    """Accepting a case a physician started for you."""

    @secured(blp, Role.PATIENT)
    @blp.arguments(InvitationAcceptSchema)
    @blp.response(200, CaseSchema)
    @blp.alt_response(404, description="No such invitation for your e-mail address, or it has expired")
    def post(self, data, identity):
        """Accept the case with the token from the invitation e-mail; it is then linked to your account"""
        with unit_of_work() as uow:
            view = case_view(consent.accept(uow, identity, data["token"]))
        return view


@blp.route("/inbox")
class Inbox(MethodView):
    """The calling specialist's referrals."""

    @secured(blp, Role.SPECIALIST)
    @blp.arguments(InboxQuerySchema, location="query")
    @blp.response(200, InboxPageSchema)
    def get(self, args, identity):
        """List the referrals sent to you, emergent first, with the records your authorizations let you read"""
        with unit_of_work() as uow:
            page = inbox.read_inbox(uow.session, identity, args)
            view = {
                "items": [_inbox_view(item) for item in page.items],
                "total": page.total,
                "page": page.page,
                "page_size": page.page_size,
            }
        return view


def _inbox_view(item: inbox.InboxItem) -> dict:
    referral, case = item.referral, item.case
    return {
        "referral_id": referral.id,
        "status": referral.status,
        "business_status": referral.business_status,
        "info_needed": referral.info_needed,
        "created_at": referral.created_at,
        "case": {
            "id": case.id,
            "urgency": case.urgency.value,
            "status": case.status.value,
            "specialty": case.specialty,
            "conditions": case.conditions,
            "questions": len(case.questions),
        },
        "authorization": item.authorization,
        "documents": item.documents,
        "warnings": case_warnings(case),
    }


@blp.route(f"/cases/<{ID}:case_id>/timeline", parameters=[REASON_PARAMETER])
class CaseTimeline(MethodView):
    """A case's steps."""

    @secured(blp, *roles_for("timeline.read"))
    @blp.response(200, TimelineSchema)
    @blp.alt_response(404, description="No such case among yours")
    def get(self, case_id, identity):
        """Read the case's timeline: every step from intake to the chosen path, with who and when"""
        with unit_of_work() as uow:
            case, entries = timeline.read_timeline(uow.session, identity, case_id, access_reason())
            view = {
                "case_id": case.id,
                "status": case.status.value,
                "warnings": case_warnings(case),
                "entries": [asdict(entry) for entry in entries],
            }
        return view


@blp.route(f"/cases/<{ID}:case_id>/decision", parameters=[REASON_PARAMETER])
class CaseDecision(MethodView):
    """The patient's decision."""

    @secured(blp, *roles_for("case.decide"))
    @blp.arguments(DecisionCreateSchema)
    @blp.response(201, DecisionSchema)
    @blp.alt_response(404, description="No such case among yours")
    @blp.alt_response(409, description="No opinion delivered yet, or the case is already closed")
    @blp.alt_response(422, description="An opinion or physician that does not fit the path or the case")
    def post(self, data, case_id, identity):
        """Record the path you chose and the physician you continue with; that physician is told and the case closes"""
        with unit_of_work() as uow:
            recorded = decision.decide(uow, identity, case_id, data, access_reason())
        return recorded
