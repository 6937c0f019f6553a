"""Correctly signed but odd Stripe events: recorded with their reason, counted, and acknowledged (2xx).

Stripe retries anything but a 2xx for days; an event that can never be processed must not be
answered 5xx. Verification still comes first: an odd payload without a valid signature is 400.
"""
import json

import pytest
import stripe
from prometheus_client import REGISTRY
from sqlalchemy import func, select

from api.models import StripeEvent
from tests.payments_support import WEBHOOK_SECRET, event, reading, signed


def _failures() -> float:
    return REGISTRY.get_sample_value("secondlook_stripe_webhook_failures_total", {"reason": "unprocessable"}) or 0.0


def _signed_text(text: str) -> tuple[bytes, dict]:
    header = stripe.WebhookSignature.generate_signature_header(text, WEBHOOK_SECRET)
    return text.encode(), {"Stripe-Signature": header, "Content-Type": "application/json"}


# Signed when the test runs (a signature is only good for five minutes).
ODD = {
    "unknown payment intent": (lambda: signed(event("payment_intent.succeeded", {"id": "pi_nobody_knows"})),
                               "No such payment_intent."),
    "data.object a string": (lambda: signed(event("payment_intent.succeeded", "pi_as_a_string")),
                             "data.object is not a Stripe object with an id."),
    "an array payload": (lambda: signed([event("payment_intent.succeeded", {"id": "pi_1"})]),
                         "The payload is not a JSON object."),
    "a NUL in the id": (lambda: signed(event("payment_intent.succeeded", {"id": "pi_1"}, event_id="evt_\x00nul")),
                        "The event id is not a Stripe event id."),
    "a 70,000-character type": (lambda: signed(event("payment_intent." + "x" * 70_000, {"id": "pi_1"})),
                                "The event type is not a Stripe event type."),
    "a raw NUL byte, not JSON": (lambda: _signed_text('{"id": "evt_raw\x00", "type": "payment_intent.succeeded"}'),
                                 "The payload is not JSON."),
}


@pytest.mark.parametrize("name", ODD)
def test_a_signed_odd_event_is_recorded_counted_and_acknowledged(client, session, fake_stripe, name):
    sign, reason = ODD[name]
    body, headers = sign()
    before = _failures()

    first = client.post("/v1/stripe/webhook", data=body, headers=headers)
    again = client.post("/v1/stripe/webhook", data=body, headers=headers)  # Stripe's redelivery

    assert first.status_code == 200, first.get_json()
    assert first.get_json() == {"received": True, "outcome": "unprocessable", "reason": reason}
    assert again.status_code == 200 and again.get_json()["outcome"] == "duplicate"
    assert _failures() == before + 1
    with reading(session) as s:
        (stored,) = s.scalars(select(StripeEvent)).all()
    assert stored.last_error == reason and stored.processed_at is not None and stored.claimed_until is None
    assert "\x00" not in stored.payload and len(stored.type) <= 100


def test_an_odd_payload_without_a_valid_signature_is_refused_and_not_stored(client, session, fake_stripe):
    body, headers = signed([event("payment_intent.succeeded", "pi_as_a_string")])
    forged = {**headers, "Stripe-Signature": headers["Stripe-Signature"][:-4] + "beef"}
    for bad in (forged, {"Content-Type": "application/json"}):
        response = client.post("/v1/stripe/webhook", data=body, headers=bad)
        assert response.status_code == 400 and response.mimetype == "application/problem+json"
        assert response.get_json()["detail"] == "The Stripe-Signature header does not match the payload."
    with reading(session) as s:
        assert s.scalar(select(func.count()).select_from(StripeEvent)) == 0


def test_an_event_stripe_cannot_answer_for_now_is_still_retried(client, session, fake_stripe):
    payload = event("payment_intent.succeeded", {"id": "pi_nobody_knows"})
    fake_stripe.unreachable = True
    body, headers = signed(payload)
    failed = client.post("/v1/stripe/webhook", data=body, headers=headers)
    assert failed.status_code == 500 and failed.mimetype == "application/problem+json"
    with reading(session) as s:
        stored = s.get(StripeEvent, payload["id"])
    assert stored.processed_at is None and "PaymentServiceUnavailable" in stored.last_error
    assert json.loads(stored.payload) == payload
