"""GET /healthz (process up) and GET /readyz (database and search backend reachable)."""

import logging

import marshmallow as ma
from flask.views import MethodView
from flask_smorest import Blueprint
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

import search
from api.db import db
from api.errors import problem

blp = Blueprint("health", __name__, description="Liveness and readiness probes")
log = logging.getLogger(__name__)


class HealthSchema(ma.Schema):
    """Status of the process and what it depends on."""

    status = ma.fields.String(metadata={"example": "ok"})
    checks = ma.fields.Dict(
        keys=ma.fields.String(), values=ma.fields.String(), metadata={"example": {"database": "ok", "search": "ok"}}
    )


@blp.route("/healthz")
class Liveness(MethodView):
    """Liveness."""

    @blp.response(200, HealthSchema)
    def get(self):
        """Liveness: the process is up"""
        return {"status": "ok", "checks": {}}


@blp.route("/readyz")
class Readiness(MethodView):
    """Readiness."""

    @blp.response(200, HealthSchema)
    @blp.alt_response(503, description="A dependency is unreachable")
    def get(self):
        """Readiness: the database and the search backend answer"""
        checks = {"database": _check_database(), "search": _check_search()}
        if any(value != "ok" for value in checks.values()):
            return problem(503, "Not ready: " + ", ".join(k for k, v in checks.items() if v != "ok"))
        return {"status": "ok", "checks": checks}


def _check_database() -> str:
    try:
        db.session.execute(text("SELECT 1"))
        return "ok"
    except SQLAlchemyError as exc:
        log.warning("readyz: database unreachable (%s)", type(exc).__name__)
        return "unreachable"


def _check_search() -> str:
    try:
        return "ok" if search.backend().ping() else "unreachable"
    except Exception as exc:  # any backend failure means "not ready", never a crash
        log.warning("readyz: search unreachable (%s)", type(exc).__name__)
        return "unreachable"
