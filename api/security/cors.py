"""CORS for the origins in CORS_ORIGINS only; with none configured, no CORS headers at all."""

from __future__ import annotations

from flask import Flask
from flask_cors import CORS

EXPOSED = ["X-Request-ID", "Retry-After", "Location", "ETag"]


def allowed_origins(setting: str) -> list[str]:
    """The comma-separated CORS_ORIGINS setting as a list (empty: CORS off)."""
    return [origin.strip().rstrip("/") for origin in setting.split(",") if origin.strip()]


def init_app(app: Flask) -> None:
    """Answer preflights and add CORS headers for the configured origins; do nothing when there are none."""
    origins = allowed_origins(app.config["CORS_ORIGINS"])
    if not origins:
        return
    # Bearer tokens travel in a header, not cookies: no credentials mode is needed.
    CORS(
        app,
        origins=origins,
        supports_credentials=False,
        expose_headers=EXPOSED,
        allow_headers=["Authorization", "Content-Type", "Idempotency-Key", "X-Request-ID"],
        max_age=600,
    )
