"""Security headers on every response; no caching of anything answered to a signed-in caller."""

from __future__ import annotations

from flask import Flask, Response, current_app, request

# A JSON API renders no documents: nothing may be loaded, framed or sniffed.
_ALWAYS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
}


def _apply(response: Response) -> Response:
    for name, value in _ALWAYS.items():
        response.headers.setdefault(name, value)
    if request.is_secure or current_app.config["HSTS_ENABLED"]:
        response.headers["Strict-Transport-Security"] = f"max-age={current_app.config['HSTS_MAX_AGE_S']}"
    if "Authorization" in request.headers:
        # Health data and tokens must not sit in browser or proxy caches.
        response.headers["Cache-Control"] = "no-store"
        response.headers.add("Vary", "Authorization")
    return response


def init_app(app: Flask) -> None:
    """Add the headers to every response, errors included."""
    app.after_request(_apply)
