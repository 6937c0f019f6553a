"""Stripe webhooks: verify, record, dedupe, re-fetch, process idempotently, keep the error for the retry.

Nothing in an event body is trusted but its id, type and the id of its object: the object is
fetched again from Stripe and the payment is brought to what Stripe says now, so events may
arrive in any order and any number of times. Two deliveries of one event racing each other
both insert-or-ignore the event row; only the one that claims it processes it.

Each step is a unit of work of its own, and Stripe is asked between them (never with a
transaction open): record and claim; re-fetch from Stripe; bring the payment to Stripe's state;
mark the event done. A failure that a retry may cure (Stripe away, a bug fixed later) keeps the
error on the event and answers 5xx, so Stripe delivers it again.

An event that is correctly signed but odd (not a JSON object, an id or type no Stripe event has,
a `data.object` that is no object, an object Stripe does not know) can never succeed: it is
recorded with its reason, counted in the webhook failures metric and acknowledged (2xx), so
Stripe stops retrying it.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import cast

import stripe
from sqlalchemy import CursorResult, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from api.errors import BadRequest
from api.models import Payment, PaymentStatus, StripeEvent
from api.observability.metrics import WEBHOOK_FAILURES
from api.unit_of_work import unit_of_work
from billing import payments
from billing.payment_gateway import PaymentGateway
from billing.stripe_client import IntentState, PaymentError

log = logging.getLogger(__name__)
LEASE = timedelta(minutes=2)
HANDLED = frozenset(
    {
        "payment_intent.succeeded",
        "payment_intent.payment_failed",
        "payment_intent.canceled",
        "payment_intent.amount_capturable_updated",
        "payment_intent.requires_action",
        "payment_intent.processing",
        "charge.refunded",
        "charge.dispute.created",
    }
)
_EVENT_ID = re.compile(r"[A-Za-z0-9_]{1,255}")
_EVENT_TYPE = re.compile(r"[a-z0-9_.]{1,100}")
OnPaymentChange = Callable[[Session, PaymentGateway, Payment, datetime], None]


class WebhookRejected(BadRequest):
    """The request is not a genuine Stripe event (bad or missing signature, not UTF-8): 400."""


@dataclass(frozen=True)
class Receipt:
    """What a delivery came to: processed | duplicate | ignored | unprocessable, and why when unprocessable."""

    outcome: str
    reason: str | None = None


def verify(payload: bytes, signature: str | None, secret: str) -> None:
    """Refuse (WebhookRejected) a request Stripe did not sign, for this exact payload, recently."""
    try:
        stripe.WebhookSignature.verify_header(payload, signature, secret, stripe.Webhook.DEFAULT_TOLERANCE)
    except stripe.SignatureVerificationError as err:
        raise WebhookRejected("The Stripe-Signature header does not match the payload.") from err
    except ValueError as err:  # not UTF-8: nothing Stripe signs
        raise WebhookRejected("The payload is not a JSON event.") from err


def read_event(text: str) -> dict | str:
    """The event of a verified payload, or the reason it is no Stripe event we could ever process."""
    try:
        event = json.loads(text)
    except ValueError:
        return "The payload is not JSON."
    if not isinstance(event, dict):
        return "The payload is not a JSON object."
    if not isinstance(event.get("id"), str) or not _EVENT_ID.fullmatch(event["id"]):
        return "The event id is not a Stripe event id."
    if not isinstance(event.get("type"), str) or not _EVENT_TYPE.fullmatch(event["type"]):
        return "The event type is not a Stripe event type."
    if event["type"] in HANDLED:
        data = event.get("data")
        obj = data.get("object") if isinstance(data, dict) else None
        if not isinstance(obj, dict) or not isinstance(obj.get("id"), str) or not _EVENT_ID.fullmatch(obj["id"]):
            return "data.object is not a Stripe object with an id."
    return event


def receive(
    session: Session,
    gateway: PaymentGateway,
    payload: bytes,
    signature: str | None,
    secret: str,
    on_change: OnPaymentChange,
    now: datetime,
) -> Receipt:
    """Handle one delivery. Raises WebhookRejected (400), or on a failure a retry may cure (answer 5xx)."""
    try:
        verify(payload, signature, secret)
    except WebhookRejected:
        WEBHOOK_FAILURES.labels("rejected").inc()
        raise
    text = payload.decode("utf-8")
    event = read_event(text)
    if isinstance(event, str):  # signed, yet no event: kept under an id of its payload
        with unit_of_work(session) as uow:
            first = record(uow.session, _odd_id(payload), "unreadable", text, now)
        return _unprocessable(session, _odd_id(payload), event, now) if first else Receipt("duplicate")
    with unit_of_work(session) as uow:
        record(uow.session, event["id"], event["type"], text, now)
        claimed = claim(uow.session, event["id"], now)
    if not claimed:
        return Receipt("duplicate")
    try:
        outcome = process(session, gateway, event, on_change, now)
    except PaymentError as error:
        if error.retryable:
            _give_back(session, event["id"], error)
            raise
        return _unprocessable(session, event["id"], error.message, now)
    except Exception as error:
        _give_back(session, event["id"], error)
        raise
    _finish(session, event["id"], now, None)
    return Receipt(outcome)


def record(session: Session, event_id: str, kind: str, text: str, now: datetime) -> bool:
    """Store the raw event once (insert-or-ignore on the event id); True when this call stored it."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    return (
        session.scalar(
            dialect.insert(StripeEvent)
            .values(
                id=event_id,
                type=kind,
                payload=text.replace("\x00", "\\u0000"),
                received_at=now,
                attempts=0,
            )
            .on_conflict_do_nothing(index_elements=["id"])
            .returning(StripeEvent.id)
        )
        is not None
    )


def claim(session: Session, event_id: str, now: datetime) -> bool:
    """Take the event for processing unless it is done or another delivery is processing it."""
    return (
        cast(
            CursorResult,
            session.execute(
                update(StripeEvent)
                .where(
                    StripeEvent.id == event_id,
                    StripeEvent.processed_at.is_(None),
                    (StripeEvent.claimed_until.is_(None)) | (StripeEvent.claimed_until < now),
                )
                .values(claimed_until=now + LEASE, attempts=StripeEvent.attempts + 1)
                .execution_options(synchronize_session=False)
            ),
        ).rowcount
        == 1
    )


def _odd_id(payload: bytes) -> str:
    """The id an event without a usable one is recorded under: the same payload, the same row."""
    return "odd_" + hashlib.sha256(payload).hexdigest()[:40]


def _unprocessable(session: Session, event_id: str, reason: str, now: datetime) -> Receipt:
    """Close a recorded event that can never be processed, keeping the reason; it is acknowledged."""
    WEBHOOK_FAILURES.labels("unprocessable").inc()
    log.warning("stripe event %s cannot be processed: %s", event_id, reason)
    _finish(session, event_id, now, reason)
    return Receipt("unprocessable", reason)


def _give_back(session: Session, event_id: str, error: Exception) -> None:
    """Let go of the claim and keep the error, so that Stripe's redelivery processes the event."""
    WEBHOOK_FAILURES.labels("processing").inc()
    with unit_of_work(session) as uow:
        uow.session.execute(
            update(StripeEvent)
            .where(StripeEvent.id == event_id)
            .values(claimed_until=None, last_error=f"{type(error).__name__}: {error}"[:500])
            .execution_options(synchronize_session=False)
        )


def _finish(session: Session, event_id: str, now: datetime, reason: str | None) -> None:
    with unit_of_work(session) as uow:
        uow.session.execute(
            update(StripeEvent)
            .where(StripeEvent.id == event_id)
            .values(processed_at=now, claimed_until=None, last_error=reason and reason[:500])
            .execution_options(synchronize_session=False)
        )


def process(session: Session, gateway: PaymentGateway, event: dict, on_change: OnPaymentChange, now: datetime) -> str:
    """Re-fetch what the event is about and bring our payment (and its booking) to Stripe's state."""
    kind = event["type"]
    if kind not in HANDLED:
        return "ignored"
    obj_id = event["data"]["object"]["id"]
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
    with unit_of_work(session) as uow:
        payment = find_payment(uow.session, intent)
        if payment is None:
            log.info("stripe event %s concerns no payment of ours", event["id"])
            return "ignored"
        payments.sync(uow.session, payment, intent, refunds, disputes)
    on_change(session, gateway, payment, now)
    return "processed"


def find_payment(session: Session, intent: IntentState) -> Payment | None:
    """Our payment for an intent, also when its creation's answer was lost (found by booking id)."""
    payment = session.scalar(select(Payment).where(Payment.stripe_payment_intent_id == intent.id))
    booking_id = (intent.metadata or {}).get("booking_id", "")
    if payment is None and booking_id.isdigit():
        payment = session.scalar(
            select(Payment)
            .where(
                Payment.booking_id == int(booking_id),
                Payment.stripe_payment_intent_id.is_(None),
                Payment.status == PaymentStatus.PENDING,
            )
            .order_by(Payment.attempt.desc())
            .limit(1)
        )
    return payment
