"""Coverage endpoints: check a visit, read a plan's rules, record your plan year."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint
from sqlalchemy import select

from api.auth.identity import REASON_PARAMETER, access_reason, secured
from api.coverage import denials, services
from api.coverage.present import check_view, rules_view
from api.coverage.schemas import (
    AppealLetterSchema,
    CoverageAnswerSchema,
    CoverageCheckSchema,
    DenialSchema,
    MemberCoverageSchema,
    PlanRulesSchema,
)
from api.db import db, reads_only, utcnow
from api.idempotency import idempotent
from api.models import MemberCoverage, Role
from api.unit_of_work import unit_of_work

blp = Blueprint(
    "coverage",
    __name__,
    url_prefix="/v1/coverage",
    description="Will insurance pay for this second opinion, and what will it cost the patient?",
)
ANYONE = (Role.PATIENT, Role.REFERRING_PHYSICIAN, Role.SPECIALIST, Role.ADMIN)


@blp.route("/check")
class CoverageCheck(MethodView):
    """The coverage verdict for one visit."""

    @secured(blp, *ANYONE)
    @blp.arguments(CoverageCheckSchema())
    @blp.response(200, CoverageAnswerSchema)
    @blp.alt_response(404, description="No such plan, member record, specialist, location or referral")
    @blp.alt_response(409, description="The plan has no coverage rules on file")
    def post(self, data, identity):
        """Check coverage: covered, needs a referral or prior authorization, out of network, or not covered"""
        with unit_of_work() as uow:
            return check_view(services.check_coverage(uow.session, identity, data, utcnow().date()))


@blp.route("/plans/<id:plan_id>")
class PlanRules(MethodView):
    """A plan's coverage rules."""

    @blp.response(200, PlanRulesSchema)
    @blp.alt_response(404, description="No such plan")
    @blp.alt_response(409, description="The plan has no coverage rules on file")
    @reads_only
    def get(self, plan_id):
        """Read a plan's rules: networks, referral, prior authorization, cost sharing"""
        plan, rules = services.rules_for(db.session, plan_id)
        return rules_view(plan, rules)


MEMBER_COVERAGES_MAX = 100  # plan years: a cap so no list answer is unbounded


@blp.route("/members")
class MemberCoverages(MethodView):
    """Your plan years."""

    @secured(blp, Role.PATIENT)
    @blp.response(200, MemberCoverageSchema(many=True))
    def get(self, identity):
        """List my plan years"""
        return db.session.scalars(
            select(MemberCoverage)
            .where(MemberCoverage.user_id == identity.user_id)
            .order_by(MemberCoverage.plan_year.desc(), MemberCoverage.id)
            .limit(MEMBER_COVERAGES_MAX)
        ).all()

    @secured(blp, Role.PATIENT)
    @idempotent(blp)
    @blp.arguments(MemberCoverageSchema())
    @blp.response(201, MemberCoverageSchema)
    @blp.alt_response(404, description="No such plan")
    def post(self, data, identity):
        """Record my plan for a year and what I have paid towards its deductible and out-of-pocket maximum"""
        with unit_of_work() as uow:
            return services.enrol(uow.session, identity, **data)


denials_blp = Blueprint(
    "denials",
    __name__,
    url_prefix="/v1/cases",
    description="Insurance denials on a case, the self-pay path and the appeal letter",
)
_CASE = "/<id:case_id>/denials"


def _denial_view(denial) -> dict:
    appeal = f"/v1/cases/{denial.case_id}/denials/{denial.id}/appeal-letter"
    return {
        **{
            c: getattr(denial, c)
            for c in ("id", "case_id", "plan_id", "reason", "reason_detail", "denied_on", "reference", "created_at")
        },
        "next_steps": [
            {
                "action": "self_pay",
                "detail": "The case is now self-pay: match it again to see self-pay "
                "prices, and hold a slot to pay by card.",
            },
            {
                "action": "appeal",
                "detail": "A formal appeal is often the way through: review, sign and send the drafted letter.",
                "href": appeal,
            },
        ],
    }


@denials_blp.route(_CASE, parameters=[REASON_PARAMETER])
class CaseDenials(MethodView):
    """A case's insurance denials."""

    @secured(denials_blp, *ANYONE)
    @denials_blp.response(200, DenialSchema(many=True))
    @denials_blp.alt_response(404, description="No such case that you can see")
    def get(self, case_id, identity):
        """List the denials recorded on a case"""
        with unit_of_work() as uow:
            return [_denial_view(d) for d in denials.list_denials(uow.session, identity, case_id, access_reason())]

    @secured(denials_blp, Role.PATIENT, Role.REFERRING_PHYSICIAN)
    @idempotent(denials_blp)
    @denials_blp.arguments(DenialSchema())
    @denials_blp.response(201, DenialSchema)
    @denials_blp.alt_response(404, description="No such case that you can see")
    def post(self, data, case_id, identity):
        """Record the insurer's denial; the case moves to the self-pay path"""
        with unit_of_work() as uow:
            return _denial_view(denials.record_denial(uow.session, identity, case_id, data, access_reason()))


@denials_blp.route(f"{_CASE}/<id:denial_id>/appeal-letter", parameters=[REASON_PARAMETER])
class AppealLetter(MethodView):
    """The appeal of a denial."""

    @secured(denials_blp, *ANYONE)
    @denials_blp.response(200, AppealLetterSchema)
    @denials_blp.alt_response(404, description="No such case or denial that you can see")
    def get(self, case_id, denial_id, identity):
        """Draft the appeal letter of a denial from the case"""
        with unit_of_work() as uow:
            letter = denials.appeal_letter(uow.session, identity, case_id, denial_id, access_reason(), utcnow().date())
            return {"subject": letter.subject, "body": letter.body}


BLUEPRINTS = (blp, denials_blp)
