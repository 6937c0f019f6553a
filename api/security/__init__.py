"""Security at the edge: response headers, CORS for configured origins, rate limits."""

from __future__ import annotations

from flask import Flask

from api.security import cors, headers, limits


def init_app(app: Flask) -> None:
    """Wire security headers, CORS and rate limits into the app."""
    headers.init_app(app)
    cors.init_app(app)
    limits.init_app(app)
