"""Every outbound client carries the configured timeout: Elasticsearch, Stripe, the geocoder, the notifier."""
import io

from api.cases import notifications
from api.config import TestConfig
from api.geo.geocoding import make_geocoder
from billing.stripe_client import StripeGateway
from search.backends.elasticsearch import ElasticsearchBackend


def test_elasticsearch_client_uses_elasticsearch_timeout():
    config = TestConfig(ELASTICSEARCH_TIMEOUT_S=3.25).as_flask()
    client = ElasticsearchBackend.from_config(config).client
    # The client's default for every request (the node's own default, 10 s, is overridden by it).
    assert client._request_timeout == 3.25


def test_stripe_client_uses_stripe_timeout():
    gateway = StripeGateway.from_config(TestConfig(STRIPE_TIMEOUT_S=4.5).as_flask())
    http = gateway._client._requestor._client  # the SDK's RequestsClient
    assert http._timeout == 4.5


def test_nominatim_geocoder_uses_geocoder_timeout():
    assert make_geocoder("nominatim", "secondlook-test", 2.75).timeout == 2.75


def test_notifier_webhook_passes_its_timeout_to_urlopen(monkeypatch):
    seen = {}

    class Answer(io.BytesIO):
        status = 204

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

    def fake_urlopen(request, timeout=None):
        seen["timeout"] = timeout
        return Answer()

    monkeypatch.setattr(notifications.urllib.request, "urlopen", fake_urlopen)
    config = {**TestConfig().as_flask(), "NOTIFIER": "webhook", "NOTIFIER_WEBHOOK_URL": "http://hooks.invalid/x",
              "NOTIFIER_TIMEOUT_S": 1.5}
    notifications.make_sink(config).send({"topic": "t", "entity": "referral", "entity_id": 1, "status": "sent"})
    assert seen["timeout"] == 1.5
