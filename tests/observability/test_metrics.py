"""GET /metrics: Prometheus text with request and match latency, webhook failures and outbox lag."""
from datetime import timedelta

from prometheus_client import REGISTRY

from api.app import create_app
from api.config import TestConfig
from api.db import utcnow
from api.models import NotificationOutbox, OutboxEvent
from tests.factories import make_specialist


def _sample(name, **labels):
    return REGISTRY.get_sample_value(name, labels) or 0.0


def _scrape(client) -> dict[str, float]:
    response = client.get("/metrics")
    assert response.status_code == 200 and response.mimetype == "text/plain"
    values = {}
    for line in response.get_data(as_text=True).splitlines():
        if line and not line.startswith("#"):
            key, value = line.rsplit(" ", 1)
            values[key] = float(value)
    return values


def test_request_latency_is_counted_by_route_template_method_and_status_class(client):
    name = "secondlook_http_request_duration_seconds_count"
    labels = dict(method="GET", route="/v1/specialists/<id:specialist_id>", status_class="4xx")
    before = _sample(name, **labels)
    client.get("/v1/specialists/987654")
    assert _sample(name, **labels) == before + 1
    scraped = _scrape(client)
    assert any(key.startswith("secondlook_http_request_duration_seconds_bucket{") and "987654" not in key
               for key in scraped)


def test_match_latency_is_observed(client, session):
    make_specialist(session, conditions=[("ORPHA", "520", 10)])
    session.commit()
    before = sum(_sample("secondlook_match_duration_seconds_count", backend=b)
                 for b in ("EmbeddedBackend", "ElasticsearchBackend"))
    response = client.post("/v1/matches", json={"conditions": [{"system": "ORPHA", "code": "520"}], "zip": "10001"})
    assert response.status_code == 200, response.get_json()
    after = sum(_sample("secondlook_match_duration_seconds_count", backend=b)
                for b in ("EmbeddedBackend", "ElasticsearchBackend"))
    assert after == before + 1


def test_outbox_lag_is_read_from_the_database_at_scrape_time(client, session):
    old = utcnow() - timedelta(minutes=5)
    session.add_all([OutboxEvent(topic="specialist", entity_id=1, created_at=old),
                     OutboxEvent(topic="specialist", entity_id=2),
                     OutboxEvent(topic="specialist", entity_id=3, created_at=old - timedelta(hours=1),
                                 processed_at=utcnow()),
                     NotificationOutbox(topic="referral.status_changed", entity_id=1, status="sent", created_at=old)])
    session.commit()
    scraped = _scrape(client)
    assert scraped['secondlook_outbox_pending{outbox="search"}'] == 2
    assert 300 <= scraped['secondlook_outbox_oldest_pending_age_seconds{outbox="search"}'] < 3600
    assert scraped['secondlook_outbox_pending{outbox="notification"}'] == 1
    assert scraped['secondlook_outbox_oldest_pending_age_seconds{outbox="notification"}'] >= 300


def test_webhook_failures_are_counted(client):
    before = _sample("secondlook_stripe_webhook_failures_total", reason="rejected")
    response = client.post("/v1/stripe/webhook", json={"id": "evt_forged", "type": "charge.refunded"},
                           headers={"Stripe-Signature": "t=1,v1=deadbeef"})
    assert response.status_code == 400
    assert _sample("secondlook_stripe_webhook_failures_total", reason="rejected") == before + 1


def test_metrics_are_not_in_the_public_openapi(client):
    assert "/metrics" not in client.get("/openapi.json").get_json()["paths"]


def test_metrics_can_be_switched_off(database_url):
    app = create_app(TestConfig(DATABASE_URL=database_url, METRICS_ENABLED=False))
    assert app.test_client().get("/metrics").status_code == 404
    app.extensions["db"][0].dispose()
