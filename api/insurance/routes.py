"""GET /v1/payers, /v1/plans and /v1/networks: public, paginated, searchable by card name."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from api.db import db, reads_only
from api.insurance import queries
from api.insurance.schemas import (
    NetworkPageSchema,
    NetworkQuerySchema,
    PayerPageSchema,
    PayerQuerySchema,
    PlanPageSchema,
    PlanQuerySchema,
)

blp = Blueprint(
    "insurance", __name__, url_prefix="/v1", description="Payers, plans and networks, to find your plan id (public)"
)


@blp.route("/payers")
class Payers(MethodView):
    """Insurers."""

    @blp.arguments(PayerQuerySchema(), location="query")
    @blp.response(200, PayerPageSchema)
    @reads_only
    def get(self, filters):
        """Find payers by name"""
        return queries.list_payers(db.session, filters)


@blp.route("/plans")
class Plans(MethodView):
    """Insurance plans."""

    @blp.arguments(PlanQuerySchema(), location="query")
    @blp.response(200, PlanPageSchema)
    @reads_only
    def get(self, filters):
        """Find your plan by the names on your member card, state, type or payer; its id is your plan_id"""
        return queries.list_plans(db.session, filters)


@blp.route("/networks")
class Networks(MethodView):
    """Provider networks."""

    @blp.arguments(NetworkQuerySchema(), location="query")
    @blp.response(200, NetworkPageSchema)
    @reads_only
    def get(self, filters):
        """Find provider networks by name or code, payer or plan"""
        return queries.list_networks(db.session, filters)
