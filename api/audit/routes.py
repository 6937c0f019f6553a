"""GET /v1/audit: the audit trail of case data, for administrators."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from api.audit import services
from api.audit.schemas import AuditPageSchema, AuditQuerySchema
from api.auth.identity import secured
from api.db import db
from api.models import Role

blp = Blueprint(
    "audit",
    __name__,
    url_prefix="/v1/audit",
    description="Who read or changed which case, when and why (administrators only)",
)


@blp.route("")
class AuditTrail(MethodView):
    """The audit trail."""

    @secured(blp, Role.ADMIN)
    @blp.arguments(AuditQuerySchema, location="query")
    @blp.response(200, AuditPageSchema)
    def get(self, filters, identity):
        """List audit events by case, actor, action and time, newest first"""
        return services.search_events(db.session, filters)
