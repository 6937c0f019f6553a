"""Observability: structured JSON logs carrying a request id, an access log, Prometheus metrics."""

from __future__ import annotations

from flask import Flask

from api.observability import logging as structured
from api.observability import metrics, request_id


def init_app(app: Flask) -> None:
    """Wire logging, the request id, the access log and /metrics into the app."""
    structured.configure(app.config["LOG_LEVEL"], app.config["LOG_FORMAT"])
    request_id.init_app(app)
    metrics.init_app(app)
