"""Case and referral endpoints: thin adapters from HTTP to the case services.

Who gets what: no live token 401; a role that may never do the action 403; a case (or referral)
the caller is not a party to 404, whether it exists or not; a party lacking something more 403.
Administrators have read access for support and must say why in the X-Access-Reason header.
"""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from api.auth.identity import REASON_PARAMETER, access_reason, secured
from api.case_permissions import roles_for
from api.cases import journey_routes, opinion_routes, record_routes, referrals, services
from api.cases.present import case_view
from api.cases.schemas import (
    CaseCreateSchema,
    CaseMatchQuerySchema,
    CasePageSchema,
    CaseQuerySchema,
    CaseSchema,
    ReferralCreateSchema,
    ReferralSchema,
    TransitionSchema,
)
from api.matching.present import match_response
from api.matching.schemas import MATCH_RESPONSE_SCHEMA
from api.unit_of_work import unit_of_work

blp = Blueprint(
    "cases",
    __name__,
    url_prefix="/v1/cases",
    description="Second-opinion cases: intake, matching and referrals (parties only)",
)
referrals_blp = Blueprint(
    "referrals",
    __name__,
    url_prefix="/v1/referrals",
    description="Closed-loop referrals: status, history and transitions",
)


@blp.route("", parameters=[REASON_PARAMETER])
class Cases(MethodView):
    """The caller's cases."""

    @secured(blp, *roles_for("case.read"))
    @blp.arguments(CaseQuerySchema, location="query")
    @blp.response(200, CasePageSchema)
    def get(self, args, identity):
        """List the cases you are a party to, newest first"""
        with unit_of_work() as work:
            page = services.list_cases(work, identity, args["page"], args["page_size"], access_reason())
            items = [case_view(case) for case in page.items]
        return page.with_items(items)

    @secured(blp, *roles_for("case.create"))
    @blp.arguments(CaseCreateSchema)
    @blp.response(201, CaseSchema)
    @blp.alt_response(422, description="Invalid fields, unknown patient account, plan or copied physician")
    def post(self, data, identity):
        """Open a case: the patient, conditions, first opinion, reasons, insurance, questions, preferences"""
        with unit_of_work() as work:
            case = services.create_case(work, identity, data, access_reason())
            view = case_view(case)
        return view


@blp.route("/<id:case_id>", parameters=[REASON_PARAMETER])
class CaseById(MethodView):
    """One case."""

    @secured(blp, *roles_for("case.read"))
    @blp.response(200, CaseSchema)
    @blp.alt_response(404, description="No such case among yours")
    def get(self, case_id, identity):
        """Read a case"""
        with unit_of_work() as work:
            view = case_view(services.read_case(work, identity, case_id, access_reason()))
        return view


@blp.route("/<id:case_id>/matches", parameters=[REASON_PARAMETER])
class CaseMatches(MethodView):
    """Specialists for a case."""

    @secured(blp, *roles_for("case.match"))
    @blp.arguments(CaseMatchQuerySchema, location="query")
    @blp.response(200, MATCH_RESPONSE_SCHEMA)
    @blp.alt_response(404, description="No such case among yours")
    def post(self, args, case_id, identity):
        """Match the case to specialists, never its first physician or their institution"""
        with unit_of_work() as work:
            match_case, result = services.match_case(work, identity, case_id, args["limit"], access_reason())
        return match_response(match_case, result)


@blp.route("/<id:case_id>/referrals", parameters=[REASON_PARAMETER])
class CaseReferrals(MethodView):
    """A case's referrals."""

    @secured(blp, *roles_for("referral.read"))
    @blp.response(200, ReferralSchema(many=True))
    @blp.alt_response(404, description="No such case among yours")
    def get(self, case_id, identity):
        """List the case's referrals and their status (a specialist sees their own)"""
        with unit_of_work() as work:
            found = referrals.list_referrals(work, identity, case_id, access_reason())
        return found

    @secured(blp, *roles_for("referral.send"))
    @blp.arguments(ReferralCreateSchema)
    @blp.response(201, ReferralSchema(many=True))
    @blp.alt_response(404, description="No such case among yours")
    @blp.alt_response(409, description="The case is already referred to that specialist")
    @blp.alt_response(422, description="Unknown specialist, or the first physician")
    def post(self, data, case_id, identity):
        """Refer the case to one or more specialists (patients: only where their plan allows self-referral)"""
        with unit_of_work() as work:
            sent = referrals.send_referrals(work, identity, case_id, data, access_reason())
        return sent


@referrals_blp.route("/<id:referral_id>", parameters=[REASON_PARAMETER])
class ReferralById(MethodView):
    """One referral."""

    @secured(referrals_blp, *roles_for("referral.read"))
    @referrals_blp.response(200, ReferralSchema)
    @referrals_blp.alt_response(404, description="No such referral among yours")
    def get(self, referral_id, identity):
        """Read a referral's status and history (the specialist's first read marks it received)"""
        with unit_of_work() as work:
            referral = referrals.read_referral(work, identity, referral_id, access_reason())
        return referral


@referrals_blp.route("/<id:referral_id>/transitions", parameters=[REASON_PARAMETER])
class ReferralTransitions(MethodView):
    """Moving a referral through its states."""

    @secured(referrals_blp, *roles_for("referral.transition"))
    @referrals_blp.arguments(TransitionSchema)
    @referrals_blp.response(200, ReferralSchema)
    @referrals_blp.alt_response(404, description="No such referral among yours")
    @referrals_blp.alt_response(409, description="The action does not apply to the current status")
    @referrals_blp.alt_response(422, description="A reason (reject) or the records needed (request_info) is missing")
    def post(self, data, referral_id, identity):
        """Send, receive, accept, reject, request or provide information, schedule or cancel a referral"""
        with unit_of_work() as work:
            referral = referrals.transition(work, identity, referral_id, data, access_reason())
        return referral


BLUEPRINTS = (blp, referrals_blp, record_routes.blp, opinion_routes.blp, journey_routes.blp)
