"""Stripe is a step between units of work: never called with a transaction open, compensated on rollback."""
import inspect
from datetime import timedelta

import pytest
from sqlalchemy import select

import billing
from api.db import db, utcnow
from api.models import Booking, BookingStatus, Payment, PaymentStatus
from api.scheduling import flows
from billing import payments
from billing.fake import FakeStripeGateway
from billing.payment_gateway import PaymentGateway
from billing.stripe_client import PaymentRejected, PaymentServiceUnavailable, StripeGateway
from tests.payments_support import deliver, event, make_bookable, make_person, reading


class WatchfulGateway(FakeStripeGateway):
    """The fake twin, noting for every call whether the app's session had a transaction open."""

    def __init__(self) -> None:
        super().__init__()
        self.open_transaction: list[tuple[str, bool]] = []

    def _enter(self, name, key, **params):
        self.open_transaction.append((name, db.session.in_transaction()))
        return super()._enter(name, key, **params)


@pytest.fixture
def watchful(app, fake_stripe):
    app.extensions["stripe"] = WatchfulGateway()
    return app.extensions["stripe"]


def test_no_transaction_is_open_while_stripe_answers(app, client, session, watchful):
    _, slots = make_bookable(session, slots=4, starts_in=timedelta(days=3))
    _, alice = make_person(session)
    _, bob = make_person(session)
    session.commit()
    hold = lambda slot, who: client.post(f"/v1/slots/{slot.id}/hold", headers=who,  # noqa: E731
                                         json={"payment_method": "pm_card_visa"}).get_json()
    first, second, third = hold(slots[0], alice), hold(slots[1], bob), hold(slots[2], alice)
    assert client.post(f"/v1/bookings/{first['id']}/confirm", headers=alice).status_code == 200
    assert client.post(f"/v1/bookings/{first['id']}/cancel", headers=alice).status_code == 200
    assert client.post(f"/v1/bookings/{second['id']}/reschedule", headers=bob,
                       json={"slot_id": slots[3].id}).status_code == 201
    intent_id = next(i.id for i in watchful.intents.values() if i.metadata["booking_id"] == str(third["id"]))
    assert deliver(client, event("payment_intent.amount_capturable_updated", {"id": intent_id})).status_code == 200
    with app.app_context():
        flows.expire_holds(db.session, billing.gateway(), utcnow() + timedelta(days=1))

    called = {name for name, _ in watchful.open_transaction}
    assert {"create_intent", "retrieve_intent", "capture", "cancel", "refund", "list_refunds"} <= called
    assert [name for name, is_open in watchful.open_transaction if is_open] == []


def test_an_authorisation_whose_record_cannot_commit_is_cancelled_at_stripe(client, session, fake_stripe, monkeypatch):
    _, (slot,) = make_bookable(session)
    _, headers = make_person(session)
    session.commit()

    def lost(*_args, **_kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(payments, "sync", lost)
    response = client.post(f"/v1/slots/{slot.id}/hold", headers=headers, json={"payment_method": "pm_card_visa"})

    assert response.status_code == 500 and response.mimetype == "application/problem+json"
    (intent,) = fake_stripe.intents.values()
    assert intent.status == "canceled"  # the rollback hook released the authorisation
    with reading(session) as s:
        (payment,) = s.scalars(select(Payment)).all()
        assert payment.stripe_payment_intent_id is None and payment.status is PaymentStatus.PENDING
        assert s.scalar(select(Booking.status)) is BookingStatus.HELD  # the hold's own unit of work stands


def test_both_gateways_keep_the_payment_gateway_contract():
    contract = {name: str(inspect.signature(getattr(PaymentGateway, name)))
                for name in dir(PaymentGateway) if not name.startswith("_")}
    assert len(contract) == 8
    for twin in (StripeGateway, FakeStripeGateway):
        assert {name: str(inspect.signature(getattr(twin, name))) for name in contract} == contract, twin


@pytest.mark.parametrize("failure, status", [(PaymentServiceUnavailable("The payment service is unreachable."), 503),
                                             (PaymentRejected("This PaymentIntent could not be captured."), 409)])
def test_a_capture_stripe_refuses_after_the_confirmation_committed_puts_the_hold_back(
        client, session, fake_stripe, monkeypatch, failure, status):
    _, (slot,) = make_bookable(session)
    _, headers = make_person(session)
    session.commit()
    booking = client.post(f"/v1/slots/{slot.id}/hold", headers=headers, json={"payment_method": "pm_card_visa"})
    booking_id = booking.get_json()["id"]

    def refuse(*_args, **_kwargs):
        raise failure

    monkeypatch.setattr(fake_stripe, "capture", refuse)
    refused = client.post(f"/v1/bookings/{booking_id}/confirm", headers=headers)
    assert refused.status_code == status and refused.mimetype == "application/problem+json"
    shown = client.get(f"/v1/bookings/{booking_id}", headers=headers).get_json()
    assert shown["status"] == "held" and shown["confirmed_at"] is None and shown["payment"]["status"] == "authorised"

    monkeypatch.undo()
    assert client.post(f"/v1/bookings/{booking_id}/confirm", headers=headers).get_json()["status"] == "confirmed"
