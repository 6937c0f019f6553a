"""Extensions: the database (unbound, attached in the factory) and the flask-smorest Api class."""
from __future__ import annotations

import http

from flask_smorest import Api as _SmorestApi
from flask_smorest.utils import prepare_response

from api.db import db
from api.errors import PROBLEM_MIMETYPE, ProblemSchema, http_exception_to_problem


class Api(_SmorestApi):
    """flask-smorest's Api with RFC 9457 problem details as its one error envelope."""

    ERROR_SCHEMA = ProblemSchema

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
