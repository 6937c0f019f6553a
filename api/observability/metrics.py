"""Prometheus metrics: request and match latency, webhook failures, and outbox lag read at scrape time.

The counters and histograms live in prometheus_client's process-wide registry. Under gunicorn
with several workers each worker has its own, and a scrape sees only the worker that answers it;
multiprocess mode (PROMETHEUS_MULTIPROC_DIR) is not wired up. The outbox gauges are read from the
database at scrape time, so they are right whichever worker answers.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime

from flask import Flask, Response, g, request
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from sqlalchemy import func, select

from api.db import db
from api.models import NotificationOutbox, OutboxEvent

METRICS_PATH = "/metrics"
_LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

REQUEST_LATENCY = Histogram(
    "secondlook_http_request_duration_seconds",
    "Time to answer an HTTP request",
    ("method", "route", "status_class"),
    buckets=_LATENCY_BUCKETS,
)
MATCH_LATENCY = Histogram(
    "secondlook_match_duration_seconds", "Time to rank specialists for one case", ("backend",), buckets=_LATENCY_BUCKETS
)
WEBHOOK_FAILURES = Counter(
    "secondlook_stripe_webhook_failures", "Stripe webhook deliveries we did not process", ("reason",)
)


class OutboxLagCollector:
    """Age of the oldest unprocessed row and the count of unprocessed rows, per outbox, from the database."""

    def __init__(self, session) -> None:
        self.session = session

    def collect(self):
        """Query both outboxes now (a scrape is rare; the pending-row columns are indexed)."""
        age = GaugeMetricFamily(
            "secondlook_outbox_oldest_pending_age_seconds",
            "Age of the oldest row not yet applied or delivered (0 when none)",
            labels=["outbox"],
        )
        count = GaugeMetricFamily("secondlook_outbox_pending", "Rows not yet applied or delivered", labels=["outbox"])
        now = datetime.now(UTC)
        for name, model, done in (
            ("search", OutboxEvent, OutboxEvent.processed_at),
            ("notification", NotificationOutbox, NotificationOutbox.delivered_at),
        ):
            oldest, pending = self.session.execute(
                select(func.min(model.created_at), func.count()).select_from(model).where(done.is_(None))
            ).one()
            age.add_metric([name], (now - oldest).total_seconds() if oldest else 0.0)
            count.add_metric([name], pending)
        yield age
        yield count


def exposition() -> bytes:
    """Every metric of this process plus the outbox gauges, in Prometheus text format."""
    scrape = CollectorRegistry(auto_describe=False)
    scrape.register(OutboxLagCollector(db.session))
    return generate_latest(REGISTRY) + generate_latest(scrape)


def _metrics_view() -> Response:
    return Response(
        exposition(), mimetype=CONTENT_TYPE_LATEST.split(";")[0], headers={"Content-Type": CONTENT_TYPE_LATEST}
    )


def _observe(response: Response) -> Response:
    if request.url_rule is not None and request.url_rule.rule == METRICS_PATH:
        return response
    route = request.url_rule.rule if request.url_rule is not None else "<unmatched>"
    started = g.get("request_started")
    REQUEST_LATENCY.labels(request.method, route, f"{response.status_code // 100}xx").observe(
        time.perf_counter() - started if started is not None else 0.0
    )
    return response


def init_app(app: Flask) -> None:
    """Add GET /metrics (unless METRICS_ENABLED is off; it is not part of the public OpenAPI) and the latency hook."""
    app.after_request(_observe)
    if app.config["METRICS_ENABLED"]:
        app.add_url_rule(METRICS_PATH, "metrics", _metrics_view, methods=["GET"])
