"""Money owed back to patients: releasing authorisations and paying refunds, retried until Stripe does it.

A cancellation or an expiry first records the promise on the Payment (`pending_action`) in the
same transaction as the booking change; the Stripe call comes after the commit. If Stripe is
unreachable the promise stays, and the next call (a retry, the `expire-holds` sweep) keeps it.
"""
from __future__ import annotations

import logging
from typing import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.models import Payment
from api.transactions import begin_write
from billing import payments
from billing.stripe_client import PaymentError, PaymentServiceUnavailable

log = logging.getLogger(__name__)


def latest_payment(session: Session, booking_id: int) -> Payment | None:
    """The booking's most recent payment attempt."""
    return session.scalar(select(Payment).where(Payment.booking_id == booking_id)
                          .order_by(Payment.attempt.desc()).limit(1))


def run_pending(session: Session, gateway, *, booking_ids: Iterable[int] | None = None) -> int:
    """Carry out pending releases and refunds (of these bookings, or all); returns how many were done."""
    query = select(Payment).where(Payment.pending_action.is_not(None)).order_by(Payment.id)
    if booking_ids is not None:
        booking_ids = list(booking_ids)
        if not booking_ids:
            return 0
        query = query.where(Payment.booking_id.in_(booking_ids))
    return sum(carry_out(session, gateway, payment) for payment in session.scalars(query).all())


def carry_out(session: Session, gateway, payment: Payment) -> bool:
    """Do one payment's pending release or refund at Stripe and record it; False while Stripe is away."""
    refunds, intent = None, None
    session.commit()  # no transaction is held while Stripe answers
    try:
        if payment.pending_action == "cancel":
            intent = payments.cancel(gateway, payment)
            if intent is not None and intent.status == "succeeded":  # it was captured after all: give it back
                refunds = payments.refund(gateway, payment, intent.amount_received)
        elif payment.stripe_payment_intent_id:
            refunds = payments.refund(gateway, payment, payment.refund_due_cents) if payment.refund_due_cents else None
            intent = gateway.retrieve_intent(payment.stripe_payment_intent_id)
    except PaymentServiceUnavailable:
        begin_write(session)
        payment.last_error = "The payment service was unreachable; the release or refund will be retried."
        session.commit()
        return False
    except PaymentError as error:
        # Stripe refuses (e.g. nothing left to release): retrying would not change that.
        log.warning("payment %s: pending %s refused by Stripe", payment.id, payment.pending_action)
        begin_write(session)
        payment.last_error = error.message[:500]
    else:
        begin_write(session)
    if intent is not None:
        payments.sync(session, payment, intent, refunds)
    payment.pending_action = None
    session.commit()
    return True
