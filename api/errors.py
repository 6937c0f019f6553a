"""One error format for every failure: RFC 9457 problem details (application/problem+json)."""

from __future__ import annotations

import logging
from typing import Any

import marshmallow as ma
from flask import Flask, Response, json, request
from sqlalchemy.exc import DataError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException, InternalServerError, MethodNotAllowed, UnsupportedMediaType
from werkzeug.http import HTTP_STATUS_CODES

PROBLEM_MIMETYPE = "application/problem+json"
log = logging.getLogger(__name__)


class DomainError(Exception):
    """A request the service refuses, with the HTTP status that says why: the one error family.

    Services raise it (or a subclass); `register_error_handlers` turns it into problem+json, the
    unit of work has already rolled back. `field` names the request field at fault (for 422s),
    `headers` adds response headers (Retry-After).
    """

    status = 400

    def __init__(
        self,
        detail: str,
        *,
        field: str | None = None,
        status: int | None = None,
        headers: dict[str, str] | None = None,
        location: str = "json",
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.message = detail  # the name older call sites read
        self.field, self.location = field, location
        self.headers = dict(headers or {})
        if status is not None:
            self.status = status


class BadRequest(DomainError):
    """400: the request cannot be read at all."""

    status = 400


class Unauthenticated(DomainError):
    """401: no valid credentials."""

    status = 401


class Forbidden(DomainError):
    """403: the caller may not do this."""

    status = 403


class NotFound(DomainError):
    """404: no such thing (or the caller may not know whether it exists)."""

    status = 404


class Conflict(DomainError):
    """409: the thing is not in a state that allows this (a referral already accepted, a slot taken)."""

    status = 409


class Invalid(DomainError):
    """422: a well-formed request with a value the service refuses; `field` says which."""

    status = 422


class TooManyRequests(DomainError):
    """429: slow down; `headers` carries Retry-After."""

    status = 429


class Unavailable(DomainError):
    """503: an outside service (search cluster, Stripe, storage) cannot answer now; retry later."""

    status = 503

    def __init__(self, detail: str, *, retry_after_s: int = 5, **kwargs: Any) -> None:
        kwargs.setdefault("headers", {"Retry-After": str(retry_after_s)})
        super().__init__(detail, **kwargs)


class InsufficientStorage(DomainError):
    """507: the server has no room to keep what was sent."""

    status = 507


def domain_error_to_problem(err: DomainError) -> Response:
    """The problem+json answer of a DomainError."""
    errors = {err.location: {err.field: [err.detail]}} if err.field and err.status == 422 else None
    return problem(err.status, err.detail, errors=errors, headers=err.headers or None)


class ProblemSchema(ma.Schema):
    """RFC 9457 problem details, as documented in the OpenAPI spec."""

    type = ma.fields.String(metadata={"example": "about:blank"})
    title = ma.fields.String(metadata={"example": "Unprocessable Entity"})
    status = ma.fields.Integer(metadata={"example": 422})
    detail = ma.fields.String(metadata={"example": "The request was well-formed but had invalid fields."})
    instance = ma.fields.String(metadata={"example": "/v1/specialists"})
    errors = ma.fields.Dict(
        metadata={
            "description": "Per-field messages, by location then field",
            "example": {"json": {"npi": ["Invalid NPI check digit."]}},
        }
    )


def problem(
    status: int,
    detail: str | None = None,
    *,
    errors: dict | None = None,
    type_: str = "about:blank",
    headers: dict | None = None,
) -> Response:
    """Build a problem+json response."""
    body = {
        "type": type_,
        "title": HTTP_STATUS_CODES.get(status, "Error"),
        "status": status,
        "instance": request.path if request else None,
    }
    if detail:
        body["detail"] = detail
    if errors:
        body["errors"] = errors
    response = Response(json.dumps(body), status=status, mimetype=PROBLEM_MIMETYPE)
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def http_exception_to_problem(error: HTTPException) -> Response:
    """Turn any werkzeug/flask-smorest HTTPException into problem+json."""
    data = getattr(error, "data", None) or {}
    errors = data.get("errors") or data.get("messages")
    detail = data.get("message") or error.description
    if errors and error.code == 422:
        detail = data.get("message") or "The request has invalid fields; see 'errors'."
    headers = dict(data.get("headers") or {})
    if isinstance(error, MethodNotAllowed) and error.valid_methods:
        headers["Allow"] = ", ".join(error.valid_methods)
    return problem(error.code or 500, detail, errors=errors, headers=headers)


def problem_of(error: HTTPException | DomainError) -> Response:
    """The problem+json answer of an HTTP error or a DomainError (also what Idempotency-Key stores)."""
    if isinstance(error, DomainError):
        return domain_error_to_problem(error)
    return http_exception_to_problem(error)


def register_error_handlers(app: Flask) -> None:
    """Make every error, including unexpected ones, answer problem+json: the one translator."""

    @app.errorhandler(Exception)
    def _unexpected(error: Exception) -> Response:
        if isinstance(error, (HTTPException, DomainError)):
            return problem_of(error)
        if isinstance(error, StaleDataError):  # a versioned row (a referral) moved under us: another change won
            return domain_error_to_problem(
                Conflict("Someone else changed this referral at the same moment; read it again and retry.")
            )
        if isinstance(error, DataError):
            # The database refused a value (out of range, wrong type) that validation let through:
            # the client's input, not a server fault. Nothing was stored: the request rolls back.
            log.warning("database refused a value: %s", type(error.orig).__name__)
            return problem(422, "A value is out of the range the service can store.")
        # Log the type and place only: exception text may carry request data.
        log.error("unhandled %s", type(error).__name__, exc_info=error)
        return http_exception_to_problem(InternalServerError())

    @app.before_request
    def _require_json_bodies() -> None:
        # A body that is not JSON would otherwise be read as "missing fields" (422);
        # 415 tells the client what is actually wrong.
        if request.method not in ("POST", "PUT", "PATCH") or not request.content_length:
            return
        endpoint = app.view_functions.get(request.endpoint or "")
        accepted = getattr(getattr(endpoint, "view_class", endpoint), "accepts_media", ("application/json",))
        if request.mimetype not in accepted and not request.mimetype.endswith("+json"):
            raise UnsupportedMediaType(f"Send the body as {' or '.join(accepted)}.")
