"""Extensions: the database (unbound, attached in the factory) and the flask-smorest Api class."""

from __future__ import annotations

from typing import Any

from apispec import BasePlugin
from flask import Flask, Response
from flask_smorest import Api as _SmorestApi
from werkzeug.exceptions import HTTPException

from api.db import db
from api.errors import PROBLEM_MIMETYPE, ProblemSchema, http_exception_to_problem

_PROBLEM_REF = "#/components/schemas/Problem"


def _is_problem(schema: Any) -> bool:
    """Whether a response body schema (a class, an instance or a resolved reference) is the Problem schema."""
    if isinstance(schema, dict):
        return schema.get("$ref") in (_PROBLEM_REF, "Problem")
    return schema is ProblemSchema or isinstance(schema, ProblemSchema) or schema == "Problem"


class ProblemResponsesPlugin(BasePlugin):
    """Document every error body as problem+json: flask-smorest's default responses and bare statuses alike."""

    def response_helper(self, response: dict, **kwargs: Any) -> dict | None:
        """A registered response whose body is a Problem is served as application/problem+json."""
        content = response.get("content") or {}
        moved = {
            PROBLEM_MIMETYPE if _is_problem(body.get("schema")) else mimetype: body
            for mimetype, body in content.items()
        }
        return {"content": moved} if moved != content else None

    def operation_helper(self, path=None, operations=None, **kwargs):
        """Give each bare 4xx/5xx response of the path's operations the Problem schema."""
        for operation in (operations or {}).values():
            for status, response in operation.get("responses", {}).items():
                if str(status)[0] in "45" and isinstance(response, dict) and not response.keys() & {"content", "$ref"}:
                    response["content"] = {PROBLEM_MIMETYPE: {"schema": {"$ref": _PROBLEM_REF}}}


class Api(_SmorestApi):
    """flask-smorest's Api with RFC 9457 problem details as its one error envelope.

    Customised through flask-smorest's public extension points only: ERROR_SCHEMA, the
    `extra_plugins` spec option and `handle_http_exception`.
    """

    ERROR_SCHEMA = ProblemSchema

    def __init__(self, app: Flask | None = None, *, spec_kwargs: dict | None = None, **kwargs: Any) -> None:
        """flask-smorest's Api, with the problem+json plugin added to the spec's plugins."""
        spec_kwargs = dict(spec_kwargs or {})
        spec_kwargs["extra_plugins"] = [*spec_kwargs.get("extra_plugins", ()), ProblemResponsesPlugin()]
        super().__init__(app, spec_kwargs=spec_kwargs, **kwargs)

    def handle_http_exception(self, error: HTTPException) -> Response:
        """Answer problem+json for every HTTP error flask-smorest or werkzeug raises."""
        return http_exception_to_problem(error)


SECURITY_SCHEMES = {
    "bearerAuth": {
        "type": "http",
        "scheme": "bearer",
        "description": "An opaque token from POST /v1/auth/token; expires, revocable.",
    }
}

__all__ = ["Api", "SECURITY_SCHEMES", "db"]
