"""Money owed back to patients: releasing authorisations and paying refunds, retried until Stripe does it.

A cancellation or an expiry first records the promise on the Payment (`pending_action`, the outbox
row) in the same transaction as the booking change; the Stripe call comes after the commit
(`flows.carry_out`). If Stripe is unreachable the promise stays, and the next call (a retry, the
`expire-holds` sweep) keeps it. Nothing here commits: `ask_stripe` runs outside any transaction and
`record_outcome` inside the caller's unit of work.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.models import Payment
from billing import payments
from billing.payment_gateway import PaymentGateway
from billing.stripe_client import IntentState, PaymentError, RefundState

log = logging.getLogger(__name__)
UNREACHABLE = "The payment service was unreachable; the release or refund will be retried."


@dataclass(frozen=True)
class Outcome:
    """What Stripe did with a pending release or refund (or why it refused for good)."""

    intent: IntentState | None = None
    refunds: list[RefundState] | None = None
    refused: str | None = None


def latest_payment(session: Session, booking_id: int) -> Payment | None:
    """The booking's most recent payment attempt."""
    return session.scalar(
        select(Payment).where(Payment.booking_id == booking_id).order_by(Payment.attempt.desc()).limit(1)
    )


def pending(session: Session, booking_ids: Iterable[int] | None = None) -> list[Payment]:
    """Payments with a release or refund still to do (of these bookings, or all)."""
    query = select(Payment).where(Payment.pending_action.is_not(None)).order_by(Payment.id)
    if booking_ids is not None:
        booking_ids = list(booking_ids)
        if not booking_ids:
            return []
        query = query.where(Payment.booking_id.in_(booking_ids))
    return list(session.scalars(query))


def ask_stripe(gateway: PaymentGateway, payment: Payment) -> Outcome:
    """Do one payment's pending release or refund at Stripe (no transaction is open).

    Raises PaymentServiceUnavailable while Stripe is away; a refusal that retrying would not
    change (e.g. nothing left to release) is the Outcome's `refused`.
    """
    intent, refunds = None, None
    try:
        if payment.pending_action == "cancel":
            intent = payments.cancel(gateway, payment)
            if intent is not None and intent.status == "succeeded":  # it was captured after all: give it back
                refunds = payments.refund(gateway, payment, intent.amount_received)
        elif payment.stripe_payment_intent_id:
            refunds = payments.refund(gateway, payment, payment.refund_due_cents) if payment.refund_due_cents else None
            intent = gateway.retrieve_intent(payment.stripe_payment_intent_id)
    except PaymentError as error:
        if error.retryable:
            raise
        log.warning("payment %s: pending %s refused by Stripe", payment.id, payment.pending_action)
        return Outcome(intent, refunds, refused=error.message[:500])
    return Outcome(intent, refunds)


def postpone(payment: Payment) -> None:
    """Stripe could not be reached: the promise stays pending, with the reason."""
    payment.last_error = UNREACHABLE


def record_outcome(session: Session, payment: Payment, outcome: Outcome) -> None:
    """Write what Stripe did into the payment and the ledger; the promise is kept."""
    if outcome.refused:
        payment.last_error = outcome.refused
    if outcome.intent is not None:
        payments.sync(session, payment, outcome.intent, outcome.refunds)
    payment.pending_action = None
