"""Opinion endpoints: delivery, listing, the comparison with its tie-breaker, case conferences."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from api.auth.identity import REASON_PARAMETER, access_reason, secured
from api.case_permissions import roles_for
from api.cases import conferences, opinions
from api.cases.opinion_schemas import (
    ComparisonSchema,
    ConferenceCreateSchema,
    ConferenceSchema,
    OpinionCreateSchema,
    OpinionSchema,
)
from api.cases.present import comparison_view
from api.cases.schemas import CaseMatchQuerySchema
from api.unit_of_work import unit_of_work

blp = Blueprint(
    "opinions", __name__, url_prefix="/v1", description="Second opinions, their comparison, and case conferences"
)


@blp.route("/referrals/<id:referral_id>/opinion", parameters=[REASON_PARAMETER])
class ReferralOpinion(MethodView):
    """The opinion delivered on a referral."""

    @secured(blp, *roles_for("opinion.deliver"))
    @blp.arguments(OpinionCreateSchema)
    @blp.response(201, OpinionSchema)
    @blp.alt_response(404, description="No such referral among yours")
    @blp.alt_response(409, description="The referral is not accepted or scheduled (or already has its opinion)")
    def post(self, data, referral_id, identity):
        """Deliver your written opinion on a referral you accepted; the referral is then completed"""
        with unit_of_work() as work:
            opinion = opinions.deliver(work, identity, referral_id, data, access_reason())
        return opinion


@blp.route("/cases/<id:case_id>/opinions", parameters=[REASON_PARAMETER])
class CaseOpinions(MethodView):
    """A case's opinions."""

    @secured(blp, *roles_for("opinion.read"))
    @blp.response(200, OpinionSchema(many=True))
    @blp.alt_response(404, description="No such case among yours")
    def get(self, case_id, identity):
        """List the case's opinions (a specialist sees only their own)"""
        with unit_of_work() as work:
            found = opinions.list_opinions(work, identity, case_id, access_reason())
        return found


@blp.route("/cases/<id:case_id>/opinions/comparison", parameters=[REASON_PARAMETER])
class OpinionComparison(MethodView):
    """The opinions compared."""

    @secured(blp, *roles_for("opinion.compare"))
    @blp.arguments(CaseMatchQuerySchema, location="query")
    @blp.response(200, ComparisonSchema)
    @blp.alt_response(404, description="No such case among yours")
    def get(self, args, case_id, identity):
        """Compare the case's opinions side by side, with a tie-breaker match when they conflict

        Each opinion is classified against the first physician as agree, different_diagnosis or
        same_diagnosis_different_treatment. When any opinion is not agree, the tie-breaker is a fresh
        match excluding the first physician, every specialist the case was sent to, and their institutions.
        """
        with unit_of_work() as work:
            comparison = opinions.compare(work, identity, case_id, args["limit"], access_reason())
            view = comparison_view(comparison)
        return view


@blp.route("/cases/<id:case_id>/conferences", parameters=[REASON_PARAMETER])
class CaseConferences(MethodView):
    """Case conferences."""

    @secured(blp, *roles_for("conference.read"))
    @blp.response(200, ConferenceSchema(many=True))
    @blp.alt_response(404, description="No such case among yours")
    def get(self, case_id, identity):
        """List the case's conference requests"""
        with unit_of_work() as work:
            found = conferences.list_conferences(work, identity, case_id, access_reason())
        return found

    @secured(blp, *roles_for("conference.request"))
    @blp.arguments(ConferenceCreateSchema)
    @blp.response(201, ConferenceSchema)
    @blp.alt_response(404, description="No such case among yours")
    @blp.alt_response(422, description="Not two different specialists who accepted the case")
    def post(self, data, case_id, identity):
        """Ask two of the case's specialists to review it together"""
        with unit_of_work() as work:
            conference = conferences.request_conference(work, identity, case_id, data, access_reason())
        return conference
