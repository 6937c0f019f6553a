"""The real Stripe SDK against localstripe: failure injection, privacy, refunds, reconciliation."""
from datetime import date, timedelta

import stripe
from sqlalchemy import select

import billing
from api.db import utcnow
from api.models import Booking, BookingStatus, Case, Payment, PaymentStatus
from api.scheduling.flows import run_pending
from billing.reconcile import reconcile
from billing.stripe_client import StripeGateway
from tests.payments_support import free_port, make_bookable, make_person, reading


def _stripe(localstripe_url) -> stripe.StripeClient:
    return stripe.StripeClient("sk_test_inspect", base_addresses={"api": localstripe_url})


def _intents_for(session, localstripe_url, booking_id: int) -> list:
    """The booking's PaymentIntents as localstripe has them (it is shared by the session's tests)."""
    with reading(session) as s:
        ids = s.scalars(select(Payment.stripe_payment_intent_id).where(Payment.booking_id == booking_id)).all()
    return [_stripe(localstripe_url).v1.payment_intents.retrieve(i) for i in ids if i]


def _creates(recording) -> int:
    return sum(1 for method, url, _ in recording.sent if method == "post" and url.endswith("/v1/payment_intents"))


def _unreachable(app):
    app.extensions["stripe"] = StripeGateway("sk_test_x", api_base=f"http://127.0.0.1:{free_port()}",
                                             timeout_s=2, max_network_retries=0)


def test_stripe_unreachable_keeps_the_hold_tells_the_patient_and_charges_once(
        app, client, session, localstripe, localstripe_url):
    _, (slot,) = make_bookable(session)
    _, headers = make_person(session)
    session.commit()
    gateway = app.extensions["stripe"]
    _unreachable(app)
    key = {**headers, "Idempotency-Key": "hold-during-outage"}
    down = client.post(f"/v1/slots/{slot.id}/hold", headers=key, json={"payment_method": "pm_card_visa"})
    assert down.status_code == 503 and down.mimetype == "application/problem+json"
    assert "stays held until" in down.get_json()["detail"] and down.headers["Retry-After"]
    with reading(session) as s:
        booking = s.scalar(select(Booking))
        assert booking.status is BookingStatus.HELD
        assert s.scalar(select(Payment.status)) is PaymentStatus.PENDING

    app.extensions["stripe"] = gateway
    up = client.post(f"/v1/slots/{slot.id}/hold", headers=key, json={"payment_method": "pm_card_visa"})
    assert up.status_code == 201 and up.get_json()["id"] == booking.id
    assert up.get_json()["payment"]["status"] == "authorised"
    replay = client.post(f"/v1/slots/{slot.id}/hold", headers=key, json={"payment_method": "pm_card_visa"})
    assert replay.get_json() == up.get_json() and replay.headers["Idempotent-Replayed"] == "true"
    assert len(_intents_for(session, localstripe_url, booking.id)) == 1 and _creates(localstripe) == 1

    _unreachable(app)
    confirm = client.post(f"/v1/bookings/{booking.id}/confirm", headers=headers)
    assert confirm.status_code == 503
    assert client.get(f"/v1/bookings/{booking.id}", headers=headers).get_json()["status"] == "held"
    app.extensions["stripe"] = gateway
    assert client.post(f"/v1/bookings/{booking.id}/confirm", headers=headers).get_json()["status"] == "confirmed"
    assert client.post(f"/v1/bookings/{booking.id}/confirm", headers=headers).get_json()["status"] == "confirmed"
    (intent,) = _intents_for(session, localstripe_url, booking.id)
    assert intent.status == "succeeded"


def test_a_refund_promised_while_stripe_is_down_is_paid_once_later(app, client, session, localstripe, localstripe_url):
    _, (slot,) = make_bookable(session, starts_in=timedelta(hours=10), price_cents=20_000)
    _, headers = make_person(session)
    session.commit()
    booking = client.post(f"/v1/slots/{slot.id}/hold", headers=headers, json={"payment_method": "pm_card_visa"}).get_json()
    assert client.post(f"/v1/bookings/{booking['id']}/confirm", headers=headers).status_code == 200
    gateway = app.extensions["stripe"]
    _unreachable(app)
    cancelled = client.post(f"/v1/bookings/{booking['id']}/cancel", headers=headers).get_json()
    # Inside 24 hours: the policy refunds half.
    assert cancelled["status"] == "cancelled" and cancelled["payment"]["pending"] == "refund"
    assert cancelled["payment"]["refund_due_cents"] == 10_000
    app.extensions["stripe"] = gateway
    with app.app_context():
        from api.db import db

        assert run_pending(db.session, billing.gateway()) == 1
        assert run_pending(db.session, billing.gateway()) == 0
        report = reconcile(db.session, billing.gateway())
        assert report.clean and report.checked == 1
    (intent,) = _intents_for(session, localstripe_url, booking["id"])
    refunds = _stripe(localstripe_url).v1.refunds.list(params={"payment_intent": intent.id}).data
    assert [r.amount for r in refunds] == [10_000]


def test_only_a_booking_id_reaches_stripe(app, client, session, localstripe, localstripe_url):
    specialist, (slot,) = make_bookable(session, first_name="Gregory", last_name="Housewright")
    patient, headers = make_person(session, name="Jane Roe")
    session.add(Case(created_by_user_id=patient.id, patient_user_id=patient.id, patient_name="Jane Roe",
                     patient_birth_date=date(1970, 1, 2), patient_sex="female", patient_zip="10001",
                     conditions=[{"system": "ORPHA", "code": "520"}], first_diagnosis="acute promyelocytic leukemia",
                     self_pay=True))
    session.commit()
    booking = client.post(f"/v1/slots/{slot.id}/hold", headers=headers, json={"payment_method": "pm_card_visa"}).get_json()
    client.post(f"/v1/bookings/{booking['id']}/confirm", headers=headers)
    client.post(f"/v1/bookings/{booking['id']}/cancel", headers=headers)

    sent = " ".join(body for _, _, body in localstripe.sent).lower()
    assert localstripe.sent and "metadata[booking_id]" in sent
    for secret in ("jane", "roe", patient.email, "leukemia", "promyelocytic", "orpha", "520&", "housewright",
                   "gregory", "10001", "description"):
        assert secret.lower() not in sent, secret
    (intent,) = _intents_for(session, localstripe_url, booking["id"])
    assert intent.metadata.to_dict() == {"booking_id": str(booking["id"])}


def test_reconciliation_finds_what_the_ledger_missed_and_fixes_it(app, client, session, localstripe, localstripe_url):
    _, (slot,) = make_bookable(session)
    _, headers = make_person(session)
    session.commit()
    booking = client.post(f"/v1/slots/{slot.id}/hold", headers=headers, json={"payment_method": "pm_card_visa"}).get_json()
    (intent,) = _intents_for(session, localstripe_url, booking["id"])
    _stripe(localstripe_url).v1.payment_intents.capture(intent.id)  # captured behind our back; no webhook came
    runner = app.test_cli_runner()
    found = runner.invoke(args=["reconcile-payments"])
    assert found.exit_code == 1 and "held ledger=45000 stripe=0" in found.output
    fixed = runner.invoke(args=["reconcile-payments", "--fix"])
    assert fixed.exit_code == 0, fixed.output
    assert runner.invoke(args=["reconcile-payments"]).exit_code == 0
    assert utcnow()  # the CLI ran in its own sessions; the booking is settled by the next webhook or sweep
