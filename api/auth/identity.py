"""Reading the bearer token and the stated access reason of a request, and guarding views by role."""

from __future__ import annotations

import functools
from collections.abc import Callable

from flask import g, request
from flask_smorest import Blueprint, abort

from api.auth.services import Identity, resolve_token
from api.auth.standing import require_standing
from api.db import db
from api.errors import BadRequest
from api.models import Role

BEARER_SECURITY: list[dict[str, list[str]]] = [{"bearerAuth": []}]
ACCESS_REASON_HEADER = "X-Access-Reason"
# Documented on every case path (route-level parameters apply to each of its methods).
MAX_REASON = 500
REASON_PARAMETER = {
    "in": "header",
    "name": ACCESS_REASON_HEADER,
    "required": False,
    "schema": {"type": "string", "maxLength": MAX_REASON},
    "description": "Why you access this case; kept in the audit trail. Administrators must give one.",
}


def bearer_token() -> str | None:
    """The token of the Authorization header, if it is a Bearer one."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None


def current_identity() -> Identity | None:
    """The caller's identity, resolved once per request."""
    if "identity" not in g:
        token = bearer_token()
        g.identity = resolve_token(db.session, token) if token else None
    return g.identity


def require_role(*roles: Role, pending_ok: bool = False) -> Callable:
    """Decorate a view: 401 without a live token, 403 when the role is not among `roles`, or when
    the account is not in good standing yet (api/auth/standing.py) unless `pending_ok`."""

    def decorator(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            identity = current_identity()
            if identity is None:
                return abort(
                    401,
                    message="Sign in: send 'Authorization: Bearer <token>'.",
                    headers={"WWW-Authenticate": 'Bearer realm="secondlook"'},
                )
            if roles and not identity.has_role(*roles):
                abort(403, message="Your role may not do this.")
            if not pending_ok:
                require_standing(identity)
            return view(*args, identity=identity, **kwargs)

        return wrapper

    return decorator


def secured(blp: Blueprint, *roles: Role, pending_ok: bool = False) -> Callable:
    """Guard a view by role (and standing, unless `pending_ok`); document its bearer security and 401/403."""

    def decorator(view: Callable) -> Callable:
        view = require_role(*roles, pending_ok=pending_ok)(view)
        view = blp.alt_response(401, description="No live bearer token")(view)
        view = blp.alt_response(403, description="The caller's role may not do this")(view)
        return blp.doc(security=BEARER_SECURITY)(view)

    return decorator


def access_reason() -> str | None:
    """The caller's stated reason for this access, if any (refused when longer than documented)."""
    reason = _header_text(request.headers.get(ACCESS_REASON_HEADER) or "").strip() or None
    if reason is not None and len(reason) > MAX_REASON:
        raise BadRequest(f"The {ACCESS_REASON_HEADER} header may be at most {MAX_REASON} characters.")
    return reason


def _header_text(value: str) -> str:
    """A header as the text its sender wrote: WSGI hands headers over as latin-1, so UTF-8 text
    (a reason in any language) arrives as two to four characters per letter. The documented
    length counts letters; bytes that are not UTF-8 stay as they came."""
    try:
        return value.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return value
