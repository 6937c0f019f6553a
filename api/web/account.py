"""Sign in and sign out: the same login, lockout and token revocation as POST/DELETE /v1/auth/token."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, redirect, render_template, request, session, url_for

from api.auth import services
from api.errors import TooManyRequests
from api.unit_of_work import unit_of_work
from api.web import bp
from api.web.identity import TOKEN_KEY


def _safe_next(target: str | None) -> str:
    """Only a path on this site: never an open redirect."""
    parts = urlsplit(target or "")
    if parts.scheme or parts.netloc or not parts.path.startswith("/") or parts.path.startswith("//"):
        return url_for("web.home")
    return target


@bp.get("/signin")
def sign_in():
    """The sign-in form."""
    return render_template("signin.html", next=request.args.get("next", ""), error=None)


@bp.post("/signin")
def sign_in_post():
    """Exchange e-mail and password for a token kept in the signed session cookie."""
    cfg = current_app.config
    policy = services.LockoutPolicy(cfg["LOGIN_MAX_FAILURES"], cfg["LOGIN_LOCKOUT_S"])
    strangers = services.UnknownEmailLocks(current_app.extensions["counter_storage"], policy)
    email, password = request.form.get("email", "").strip(), request.form.get("password", "")
    error = None
    try:
        with unit_of_work() as uow:  # a wrong password is counted: that, too, commits
            issued = services.login(uow.session, email, password, cfg["TOKEN_TTL_S"], policy=policy,
                                    strangers=strangers)
    except TooManyRequests as refused:
        issued, error = None, refused.detail
    if issued is None:
        return render_template("signin.html", next=request.form.get("next", ""),
                               error=error or "E-mail or password is wrong."), 401
    session.clear()  # a new session on sign-in: nothing carried over from before
    session[TOKEN_KEY] = issued.token
    return redirect(_safe_next(request.form.get("next")))


@bp.post("/signout")
def sign_out():
    """Revoke the session's token at once and forget the session."""
    token = session.pop(TOKEN_KEY, None)
    if token:
        with unit_of_work() as uow:
            services.revoke_token(uow.session, token)
    session.clear()
    return redirect(url_for("web.home"))
