"""Extensions: the database (unbound, attached in the factory) and the flask-smorest Api class."""
from __future__ import annotations

import http

from apispec import BasePlugin
from flask_smorest import Api as _SmorestApi
from flask_smorest.utils import prepare_response

from api.db import db
from api.errors import PROBLEM_MIMETYPE, ProblemSchema, http_exception_to_problem


class ProblemResponsesPlugin(BasePlugin):
    """Document the problem+json body of every error response a view names only by status."""

    def operation_helper(self, path=None, operations=None, **kwargs):
        """Give each bare 4xx/5xx response of the path's operations the Problem schema."""
        for operation in (operations or {}).values():
            for status, response in operation.get("responses", {}).items():
                if str(status)[0] in "45" and isinstance(response, dict) and not response.keys() & {"content", "$ref"}:
                    response["content"] = {PROBLEM_MIMETYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}


class Api(_SmorestApi):
    """flask-smorest's Api with RFC 9457 problem details as its one error envelope."""

    ERROR_SCHEMA = ProblemSchema

    def _init_spec(self, *, extra_plugins=None, **options):
        super()._init_spec(extra_plugins=[*(extra_plugins or ()), ProblemResponsesPlugin()], **options)

    def handle_http_exception(self, error):
        """Answer problem+json for every HTTP error flask-smorest or werkzeug raises."""
        return http_exception_to_problem(error)

    def _register_responses(self):
        """Document every error response as problem+json (flask-smorest says application/json)."""
        for status in http.HTTPStatus:
            response = {"description": status.phrase}
            if status >= 400:
                response["schema"] = self.ERROR_SCHEMA
            prepare_response(response, self.spec, PROBLEM_MIMETYPE)
            self.spec.components.response(status.name, response, lazy=True)
        response = {"description": "Default error response", "schema": self.ERROR_SCHEMA}
        prepare_response(response, self.spec, PROBLEM_MIMETYPE)
        self.spec.components.response("DEFAULT_ERROR", response, lazy=True)


SECURITY_SCHEMES = {
    "bearerAuth": {"type": "http", "scheme": "bearer",
                   "description": "An opaque token from POST /v1/auth/token; expires, revocable."}
}

__all__ = ["Api", "SECURITY_SCHEMES", "db"]
