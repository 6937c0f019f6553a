"""The web app for people: server-side pages (Jinja, a little htmx) on the same services as the API.

Pages live at `/`; the JSON API stays under `/v1`. Every form carries a CSRF token (Flask-WTF's
CSRFProtect, checked for this blueprint only: the API authenticates with bearer tokens, which a
browser never sends by itself). The signed session cookie holds the bearer token of the person
signed in; pages resolve it exactly as the API resolves an Authorization header.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, current_app, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from api.errors import DomainError
from api.web import (  # noqa: F401  (they add their routes to `bp`)
    account,
    admin,
    booking,
    cases,
    docs,
    patient_case,
    search,
    signup,
    specialist,
)
from api.web.blueprint import FORM_MEDIA, bp, csrf
from api.web.identity import signed_in_user


@bp.before_request
def _check_csrf() -> None:
    """Every state-changing request to a page must carry the session's CSRF token."""
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        csrf.protect()


@bp.after_request
def _content_policy(response):
    """Pages may load their own files and Stripe.js (card fields and their frames), nothing else."""
    stripe = "{0.scheme}://{0.netloc}".format(urlsplit(current_app.config["STRIPE_JS_URL"]))
    response.headers["Content-Security-Policy"] = (
        f"default-src 'self'; script-src 'self' {stripe}; connect-src 'self' {stripe} https://api.stripe.com; "
        f"frame-src {stripe} https://hooks.stripe.com; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    )
    response.headers["Cache-Control"] = "no-store"  # pages may show health and payment details
    return response


def init_app(app: Flask) -> None:
    """Register the pages, the API document viewer and CSRF protection."""
    app.config.setdefault("WTF_CSRF_CHECK_DEFAULT", False)  # checked in `_check_csrf`, pages only
    # Flask's own defaults exist for these, so they are set, not defaulted. With HSTS on, the site is TLS only.
    app.config.update(
        SESSION_COOKIE_SAMESITE="Lax", SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SECURE=app.config["HSTS_ENABLED"]
    )
    csrf.init_app(app)
    app.register_blueprint(bp)
    for endpoint, view in app.view_functions.items():
        if endpoint.startswith(f"{bp.name}.") and endpoint != f"{bp.name}.static":
            view.accepts_media = FORM_MEDIA  # type: ignore[union-attr]  # the app's body check (api/errors.py) lets forms through
    _limit(app)


# The pages that do what a rate-limited API endpoint does get the same limit (api/security/limits.py).
LIMITED = {
    "web.sign_in_post": "RATE_LIMIT_LOGIN",
    "web.sign_up_post": "RATE_LIMIT_LOGIN",
    "web.physician_sign_up_post": "RATE_LIMIT_LOGIN",
    "web.search_results": "RATE_LIMIT_SEARCH",
}


def _limit(app: Flask) -> None:
    limits = app.extensions["rate_limits"]
    for endpoint, field in LIMITED.items():
        limits.limit(endpoint, field)


@bp.context_processor
def _page_globals() -> dict:
    """What every page's header needs."""
    return {"current_user": signed_in_user}


@bp.errorhandler(DomainError)
def _refused(error: DomainError):
    """A refusal from a service, as a page (the API answers the same refusal as problem+json)."""
    return render_template(
        "error.html", title=_TITLES.get(error.status, "That did not work"), detail=error.detail
    ), error.status


@bp.errorhandler(HTTPException)
def _http_error(error: HTTPException):
    """Pages answer their HTTP errors (a stale form's CSRF token, an unknown page) as pages too."""
    detail = (
        "This form has expired. Go back, reload the page and try again."
        if isinstance(error, CSRFError)
        else error.description
    )
    status = error.code or 500
    return render_template("error.html", title=_TITLES.get(status, error.name), detail=detail), status


_TITLES = {
    400: "That did not work",
    404: "Not found",
    409: "That cannot be done now",
    422: "Please check what you entered",
    503: "Please try again shortly",
}
