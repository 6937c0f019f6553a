"""Observability: structured JSON logs carrying a request id, an access log, Prometheus metrics."""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Wire logging, the request id, the access log and /metrics into the app."""
    from api.observability import logging as structured, metrics, request_id

    structured.configure(app.config["LOG_LEVEL"], app.config["LOG_FORMAT"])
    request_id.init_app(app)
    metrics.init_app(app)
