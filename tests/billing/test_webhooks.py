"""Stripe webhooks: signature first, raw event stored once, re-fetched, idempotent in any order, 5xx on failure."""
import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import func, select

from api.models import Booking, LedgerEntry, Payment, StripeEvent
from billing import ledger
from tests.payments_support import deliver, event, make_bookable, make_person, reading, signed


def _held(client, session, fake_stripe, payment_method="pm_card_visa"):
    _, (slot,) = make_bookable(session, price_cents=30_000)
    _, headers = make_person(session)
    session.commit()
    response = client.post(f"/v1/slots/{slot.id}/hold", headers=headers, json={"payment_method": payment_method})
    assert response.status_code == 201, response.get_json()
    booking = response.get_json()
    with reading(session) as s:
        intent_id = s.scalar(select(Payment.stripe_payment_intent_id).where(Payment.booking_id == booking["id"]))
    return booking, intent_id, headers


def _kinds(session):
    with reading(session) as s:
        return [(e.kind.value, e.amount_cents) for e in s.scalars(select(LedgerEntry).order_by(LedgerEntry.id))]


def _event(session, event_id):
    with reading(session) as s:
        return s.get(StripeEvent, event_id)


def test_unsigned_wrongly_signed_or_stale_events_are_refused_and_not_stored(client, session, fake_stripe):
    payload = event("payment_intent.succeeded", {"id": "pi_x"})
    body, headers = signed(payload)
    cases = [
        {"Content-Type": "application/json"},
        {**headers, "Stripe-Signature": headers["Stripe-Signature"][:-4] + "beef"},
        signed(payload, secret="whsec_someone_else")[1],
        signed(payload, at=int(time.time()) - 3600)[1],
    ]
    for bad in cases:
        response = client.post("/v1/stripe/webhook", data=body, headers=bad)
        assert response.status_code == 400 and response.mimetype == "application/problem+json"
    tampered = client.post("/v1/stripe/webhook", data=body.replace(b"pi_x", b"pi_y"), headers=headers)
    assert tampered.status_code == 400
    with reading(session) as s:
        assert s.scalar(select(func.count()).select_from(StripeEvent)) == 0


def test_authorisation_webhook_confirms_and_captures_and_stores_the_raw_event(client, session, fake_stripe):
    booking, intent_id, headers = _held(client, session, fake_stripe)
    payload = event("payment_intent.amount_capturable_updated", {"id": intent_id})
    assert deliver(client, payload).get_json()["outcome"] == "processed"
    assert client.get(f"/v1/bookings/{booking['id']}", headers=headers).get_json()["status"] == "confirmed"
    assert _kinds(session) == [("authorised", 30_000), ("captured", 30_000)]
    stored = _event(session, payload["id"])
    assert json.loads(stored.payload) == payload and stored.processed_at is not None and stored.attempts == 1


def test_a_redelivered_event_is_processed_once(client, session, fake_stripe):
    _, intent_id, _ = _held(client, session, fake_stripe)
    payload = event("payment_intent.amount_capturable_updated", {"id": intent_id})
    assert deliver(client, payload).get_json()["outcome"] == "processed"
    captures = [name for name, _ in fake_stripe.calls].count("capture")
    assert deliver(client, payload).get_json()["outcome"] == "duplicate"
    assert [name for name, _ in fake_stripe.calls].count("capture") == captures == 1
    assert _event(session, payload["id"]).attempts == 1


def test_two_deliveries_racing_are_processed_once(app, client, session, fake_stripe):
    _, intent_id, _ = _held(client, session, fake_stripe)
    body, headers = signed(event("payment_intent.amount_capturable_updated", {"id": intent_id}))
    barrier = threading.Barrier(4)

    def post(_):
        barrier.wait()
        return app.test_client().post("/v1/stripe/webhook", data=body, headers=headers).get_json()["outcome"]

    with ThreadPoolExecutor(max_workers=4) as pool:
        outcomes = sorted(pool.map(post, range(4)))
    assert outcomes == ["duplicate"] * 3 + ["processed"]
    assert [name for name, _ in fake_stripe.calls].count("capture") == 1
    assert _kinds(session) == [("authorised", 30_000), ("captured", 30_000)]


def test_the_payload_is_not_trusted_the_object_is_fetched_again(client, session, fake_stripe):
    booking, intent_id, headers = _held(client, session, fake_stripe)
    forged = {"id": intent_id, "status": "succeeded", "amount": 1, "amount_received": 99_999_999}
    deliver(client, event("payment_intent.succeeded", forged))
    assert _kinds(session) == [("authorised", 30_000), ("captured", 30_000)]


def test_refund_before_success_ends_in_the_right_state(client, session, fake_stripe):
    booking, intent_id, headers = _held(client, session, fake_stripe)
    # At Stripe the payment was captured and then refunded; our events arrive in the wrong order.
    fake_stripe.capture(intent_id, 30_000, "outside-capture")
    refund = fake_stripe.refund(intent_id, 30_000, booking["id"], "outside-refund")
    assert deliver(client, event("charge.refunded", {"id": fake_stripe.intents[intent_id].latest_charge})).status_code == 200
    assert deliver(client, event("payment_intent.succeeded", {"id": intent_id})).status_code == 200
    assert deliver(client, event("payment_intent.amount_capturable_updated", {"id": intent_id})).status_code == 200
    assert _kinds(session) == [("authorised", 30_000), ("captured", 30_000), ("refunded", 30_000)]
    with reading(session) as s:
        assert s.scalar(select(LedgerEntry.stripe_ref).where(LedgerEntry.kind == "refunded")) == refund.id
        assert ledger.balances(s) == {"patient": 0, "held": 0, "collected": 0, "disputed": 0}


def test_processing_failure_answers_500_keeps_the_error_and_a_retry_succeeds(client, session, fake_stripe):
    booking, intent_id, headers = _held(client, session, fake_stripe)
    payload = event("payment_intent.amount_capturable_updated", {"id": intent_id})
    fake_stripe.unreachable = True
    failed = deliver(client, payload)
    assert failed.status_code == 500 and failed.mimetype == "application/problem+json"
    stored = _event(session, payload["id"])
    assert stored.processed_at is None and "PaymentServiceUnavailable" in stored.last_error
    fake_stripe.unreachable = False
    assert deliver(client, payload).get_json()["outcome"] == "processed"
    assert client.get(f"/v1/bookings/{booking['id']}", headers=headers).get_json()["status"] == "confirmed"


def test_a_dispute_is_recorded_in_the_ledger(client, session, fake_stripe):
    booking, intent_id, headers = _held(client, session, fake_stripe)
    assert client.post(f"/v1/bookings/{booking['id']}/confirm", headers=headers).status_code == 200
    dispute = fake_stripe.open_dispute(intent_id, 30_000)
    assert deliver(client, event("charge.dispute.created", {"id": dispute.id})).get_json()["outcome"] == "processed"
    assert deliver(client, event("charge.dispute.created", {"id": dispute.id})).status_code == 200
    assert _kinds(session)[-1] == ("disputed", 30_000) and len(_kinds(session)) == 3
    assert client.get(f"/v1/bookings/{booking['id']}", headers=headers).get_json()["payment"]["status"] == "disputed"


def test_a_declined_card_leaves_the_hold_and_can_be_paid_again(client, session, fake_stripe):
    booking, _, headers = _held(client, session, fake_stripe, payment_method="pm_card_chargeCustomerFail")
    assert booking["status"] == "held" and booking["payment"]["status"] == "failed"
    assert "declined" in booking["payment"]["message"]
    again = client.post(f"/v1/bookings/{booking['id']}/pay", headers=headers, json={"payment_method": "pm_card_visa"})
    assert again.status_code == 200, again.get_json()
    assert again.get_json()["payment"]["status"] == "authorised"
    confirmed = client.post(f"/v1/bookings/{booking['id']}/confirm", headers=headers)
    assert confirmed.get_json()["status"] == "confirmed"


def test_events_we_do_not_handle_or_that_are_not_ours_are_acknowledged(client, session, fake_stripe):
    assert deliver(client, event("customer.created", {"id": "cus_1"})).get_json()["outcome"] == "ignored"
    fake_stripe.create_intent(amount_cents=500, currency="usd", booking_id=999, payment_method=None,
                              idempotency_key="someone-else")
    assert deliver(client, event("payment_intent.canceled", {"id": "pi_fake1"})).get_json()["outcome"] == "ignored"
    with reading(session) as s:
        assert s.scalar(select(func.count()).select_from(Booking)) == 0
