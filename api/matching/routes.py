"""POST /v1/matches: public, no login, rate limited per client address."""

from __future__ import annotations

from flask import jsonify
from flask.views import MethodView
from flask_smorest import Blueprint

from api.db import reads_only
from api.matching import services
from api.matching.present import match_response
from api.matching.schemas import MatchRequestSchema, MatchResponseSchema

blp = Blueprint(
    "matching",
    __name__,
    url_prefix="/v1/matches",
    description="Match a case (without the patient's identity) to second-opinion specialists",
)


@blp.route("")
class Matches(MethodView):
    """Matching."""

    @blp.arguments(MatchRequestSchema())
    @blp.response(200, MatchResponseSchema)  # documents the answer; match_response builds it as plain data
    @blp.alt_response(429, description="Rate limit exceeded; retry after Retry-After seconds")
    @blp.alt_response(503, description="The online geocoder or the search backend is unreachable")
    @reads_only
    def post(self, body):
        """Rank specialists for a case: expertise, coverage, distance, availability, quality, independence"""
        case, result = services.find_matches(body)
        # Straight to JSON: the answer is already the schema's shape (tests/contract/test_match_answers.py).
        return jsonify(match_response(case, result))
