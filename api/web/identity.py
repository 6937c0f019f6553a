"""Who is using the pages: the bearer token kept in the signed session cookie, resolved like the API's."""

from __future__ import annotations

import functools
from collections.abc import Callable

from flask import abort, g, redirect, render_template, request, session, url_for

from api.auth.services import Identity, resolve_token
from api.auth.standing import UNVERIFIED_PHYSICIAN, require_standing, standing_problem
from api.db import db
from api.models import Role, User

TOKEN_KEY = "token"


def web_identity() -> Identity | None:
    """The identity behind the session's token, once per request; None when signed out or expired."""
    if "web_identity" not in g:
        token = session.get(TOKEN_KEY)
        g.web_identity = resolve_token(db.session, token) if token else None
    return g.web_identity


def signed_in_user() -> User | None:
    """The account signed in, for the page header."""
    identity = web_identity()
    return db.session.get(User, identity.user_id) if identity else None


def sign_in_required(*roles: Role) -> Callable:
    """Decorate a page: send a signed-out visitor to sign in (and back); refuse other roles with 403,
    and an account not in good standing yet (an unconfirmed e-mail) with 403 and why, as the API does;
    a physician whose NPI awaits an administrator's verification gets a page that says so."""

    def decorator(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            identity = web_identity()
            if identity is None:
                return redirect(url_for("web.sign_in", next=request.full_path))
            if roles and not identity.has_role(*roles):
                abort(403)
            if standing_problem(identity) == UNVERIFIED_PHYSICIAN:
                user = db.session.get(User, identity.user_id)
                return render_template("awaiting_verification.html", user=user, detail=UNVERIFIED_PHYSICIAN), 403
            require_standing(identity)
            return view(*args, identity=identity, **kwargs)

        return wrapper

    return decorator
