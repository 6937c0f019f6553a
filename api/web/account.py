"""Sign in and sign out: the same login, lockout and token revocation as POST/DELETE /v1/auth/token."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, redirect, render_template, request, session, url_for

from api.auth import services
from api.auth.throttle import Throttle, ThrottlePolicy
from api.db import db
from api.errors import TooManyRequests, Unauthenticated
from api.models import Role
from api.unit_of_work import unit_of_work
from api.web.blueprint import bp
from api.web.identity import TOKEN_KEY

# Where each kind of account starts its work when sign-in names no page to return to.
LANDING = {
    Role.PATIENT: "web.home",
    Role.REFERRING_PHYSICIAN: "web.my_cases",
    Role.SPECIALIST: "web.inbox_page",
    Role.ADMIN: "web.admin_home",
}


def safe_next(target: str | None, role: Role | None = None) -> str:
    """Only a path on this site: never an open redirect. Without one, the role's own start page."""
    parts = urlsplit(target or "")
    if parts.scheme or parts.netloc or not parts.path.startswith("/") or parts.path.startswith("//"):
        return url_for(LANDING[role] if role is not None else "web.home")
    return parts.geturl()


@bp.get("/signin")
def sign_in():
    """The sign-in form."""
    return render_template("signin.html", next=request.args.get("next", ""), error=None)


@bp.post("/signin")
def sign_in_post():
    """Exchange e-mail and password for a token kept in the signed session cookie."""
    cfg = current_app.config
    email, password = request.form.get("email", "").strip(), request.form.get("password", "")
    # The same throttle as the API's login: counters shared by every worker, one answer for all e-mails.
    throttle = Throttle(db.new_session, ThrottlePolicy.from_config(cfg), email, request.remote_addr)
    try:
        with unit_of_work() as uow:
            issued = services.login(uow, email, password, cfg["TOKEN_TTL_S"], throttle)
    except (TooManyRequests, Unauthenticated) as refused:
        status = 429 if isinstance(refused, TooManyRequests) else 401
        return render_template("signin.html", next=request.form.get("next", ""), error=refused.detail), status
    session.clear()  # a new session on sign-in: nothing carried over from before
    session[TOKEN_KEY] = issued.token
    return redirect(safe_next(request.form.get("next"), issued.user.role))


@bp.post("/signout")
def sign_out():
    """Revoke the session's token at once and forget the session."""
    token = session.pop(TOKEN_KEY, None)
    if token:
        with unit_of_work() as uow:
            services.revoke_token(uow.session, token)
    session.clear()
    return redirect(url_for("web.home"))
