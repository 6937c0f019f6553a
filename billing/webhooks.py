"""Stripe webhooks: verify, record, dedupe, re-fetch, process idempotently, keep the error for the retry.

Nothing in an event body is trusted but its id, type and the id of its object: the object is
fetched again from Stripe and the payment is brought to what Stripe says now, so events may
arrive in any order and any number of times. Two deliveries of one event racing each other
both insert-or-ignore the event row; only the one that claims it processes it.
"""
from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Callable, cast

import stripe
from sqlalchemy import CursorResult, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from api.models import Payment, PaymentStatus, StripeEvent
from api.observability.metrics import WEBHOOK_FAILURES
from api.transactions import begin_write
from billing import payments

log = logging.getLogger(__name__)
LEASE = timedelta(minutes=2)
HANDLED = frozenset({
    "payment_intent.succeeded", "payment_intent.payment_failed", "payment_intent.canceled",
    "payment_intent.amount_capturable_updated", "payment_intent.requires_action", "payment_intent.processing",
    "charge.refunded", "charge.dispute.created",
})
OnPaymentChange = Callable[[Session, object, Payment, datetime], None]


class WebhookRejected(Exception):
    """The request is not a genuine Stripe event (bad or missing signature, not JSON)."""


def verify(payload: bytes, signature: str | None, secret: str) -> dict:
    """The event, if `signature` is Stripe's for this exact payload and recent; else WebhookRejected."""
    try:
        event = stripe.Webhook.construct_event(payload, signature, secret)
    except stripe.SignatureVerificationError:
        raise WebhookRejected("The Stripe-Signature header does not match the payload.")
    except ValueError:
        raise WebhookRejected("The payload is not a JSON event.")
    data = event.to_dict()
    if not isinstance(data.get("id"), str) or not isinstance(data.get("type"), str):
        raise WebhookRejected("The payload is not a Stripe event.")
    return data


def record(session: Session, event: dict, payload: bytes, now: datetime) -> None:
    """Store the raw event once (insert-or-ignore on the event id)."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    session.execute(dialect.insert(StripeEvent).values(
        id=event["id"], type=event["type"], payload=payload.decode("utf-8"), received_at=now, attempts=0,
    ).on_conflict_do_nothing(index_elements=["id"]))
    session.commit()


def claim(session: Session, event_id: str, now: datetime) -> bool:
    """Take the event for processing unless it is done or another delivery is processing it."""
    claimed = cast(CursorResult, session.execute(update(StripeEvent).where(
        StripeEvent.id == event_id, StripeEvent.processed_at.is_(None),
        (StripeEvent.claimed_until.is_(None)) | (StripeEvent.claimed_until < now),
    ).values(claimed_until=now + LEASE, attempts=StripeEvent.attempts + 1)
        .execution_options(synchronize_session=False))).rowcount
    session.commit()
    return claimed == 1


def receive(session: Session, gateway, payload: bytes, signature: str | None, secret: str,
            on_change: OnPaymentChange, now: datetime) -> str:
    """Handle one delivery; returns processed | duplicate | ignored. Raises on failure (answer 5xx)."""
    try:
        event = verify(payload, signature, secret)
    except WebhookRejected:
        WEBHOOK_FAILURES.labels("rejected").inc()
        raise
    record(session, event, payload, now)
    if not claim(session, event["id"], now):
        return "duplicate"
    try:
        outcome = process(session, gateway, event, on_change, now)
    except Exception as error:
        WEBHOOK_FAILURES.labels("processing").inc()
        session.rollback()
        session.execute(update(StripeEvent).where(StripeEvent.id == event["id"]).values(
            claimed_until=None, last_error=f"{type(error).__name__}: {error}"[:500])
            .execution_options(synchronize_session=False))
        session.commit()
        raise
    begin_write(session)
    session.execute(update(StripeEvent).where(StripeEvent.id == event["id"]).values(
        processed_at=now, claimed_until=None, last_error=None).execution_options(synchronize_session=False))
    session.commit()
    return outcome


def process(session: Session, gateway, event: dict, on_change: OnPaymentChange, now: datetime) -> str:
    """Re-fetch what the event is about and bring our payment (and its booking) to Stripe's state."""
    kind, obj_id = event["type"], (event.get("data", {}).get("object") or {}).get("id")
    if kind not in HANDLED or not isinstance(obj_id, str):
        return "ignored"
    session.commit()  # no transaction is held while Stripe answers
    disputes: tuple = ()
    if kind == "charge.refunded":
        intent_id = gateway.charge_intent(obj_id)
    elif kind == "charge.dispute.created":
        dispute = gateway.retrieve_dispute(obj_id)
        intent_id, disputes = dispute.payment_intent, (dispute,)
    else:
        intent_id = obj_id
    if intent_id is None:
        return "ignored"
    intent = gateway.retrieve_intent(intent_id)
    refunds = gateway.list_refunds(intent.id) if intent.status == "succeeded" else None
    begin_write(session)
    payment = find_payment(session, intent)
    if payment is None:
        log.info("stripe event %s concerns no payment of ours", event["id"])
        return "ignored"
    payments.sync(session, payment, intent, refunds, disputes)
    session.commit()
    on_change(session, gateway, payment, now)
    return "processed"


def find_payment(session: Session, intent) -> Payment | None:
    """Our payment for an intent, also when its creation's answer was lost (found by booking id)."""
    payment = session.scalar(select(Payment).where(Payment.stripe_payment_intent_id == intent.id))
    booking_id = (intent.metadata or {}).get("booking_id", "")
    if payment is None and booking_id.isdigit():
        payment = session.scalar(select(Payment).where(
            Payment.booking_id == int(booking_id), Payment.stripe_payment_intent_id.is_(None),
            Payment.status == PaymentStatus.PENDING).order_by(Payment.attempt.desc()).limit(1))
    return payment

