"""The payment flow: authorise on hold, capture on confirmation, cancel or refund, and `sync` with Stripe.

The Stripe calls here never run inside a database transaction (see `billing/__init__.py` for where
each kind of call sits in the units of work); `sync` then writes what Stripe answered into the
Payment and the ledger. Every call is idempotent twice over: Stripe gets a
stable key per payment attempt and action, and we look at the intent's state before asking.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

from api.models import LedgerKind, Payment, PaymentStatus
from billing import ledger
from billing.payment_gateway import PaymentGateway
from billing.stripe_client import DisputeState, IntentState, PaymentRejected, RefundState

_STATUS = {
    "requires_payment_method": PaymentStatus.REQUIRES_ACTION,
    "requires_confirmation": PaymentStatus.REQUIRES_ACTION,
    "requires_action": PaymentStatus.REQUIRES_ACTION,
    "processing": PaymentStatus.PENDING,
    "requires_capture": PaymentStatus.AUTHORISED,
    "succeeded": PaymentStatus.CAPTURED,
    "canceled": PaymentStatus.CANCELLED,
}


def idempotency_key(payment: Payment, action: str) -> str:
    """The Stripe idempotency key of one action on one payment attempt (a Payment row is one attempt)."""
    return f"secondlook-booking{payment.booking_id}-payment{payment.id}-attempt{payment.attempt}-{action}"


def intent_id(payment: Payment) -> str:
    """The Stripe PaymentIntent of an attempt that has reached Stripe (an error before then)."""
    if payment.stripe_payment_intent_id is None:
        raise ValueError(f"Payment {payment.id} has no Stripe PaymentIntent yet.")
    return payment.stripe_payment_intent_id


def authorise(gateway: PaymentGateway, payment: Payment, payment_method: str | None) -> IntentState:
    """Create the attempt's PaymentIntent (authorising the card when a method is given), or fetch it."""
    if payment.stripe_payment_intent_id:
        return gateway.retrieve_intent(payment.stripe_payment_intent_id)
    return gateway.create_intent(
        amount_cents=payment.amount_cents,
        currency=payment.currency,
        booking_id=payment.booking_id,
        payment_method=payment_method,
        idempotency_key=idempotency_key(payment, "authorise"),
    )


def capture(gateway: PaymentGateway, payment: Payment) -> IntentState:
    """Capture the authorised amount; a no-op when Stripe says it is captured already."""
    intent = gateway.retrieve_intent(intent_id(payment))
    if intent.status != "requires_capture":
        return intent
    return gateway.capture(intent.id, payment.amount_cents, idempotency_key(payment, "capture"))


def cancel(gateway: PaymentGateway, payment: Payment) -> IntentState | None:
    """Release the authorisation (nothing is charged); a no-op when there is nothing to release."""
    if not payment.stripe_payment_intent_id:
        return None
    intent = gateway.retrieve_intent(payment.stripe_payment_intent_id)
    if intent.status in ("succeeded", "canceled", "processing"):
        return intent
    return gateway.cancel(intent.id, idempotency_key(payment, "cancel"))


def abandon(gateway: PaymentGateway, payment: Payment, intent: IntentState) -> Callable[[], None]:
    """The compensation of an `authorise` whose result could not be recorded: it releases the authorisation.

    Everything it needs is read now: after a rollback the payment's attributes are expired, and
    reloading them would open a transaction while Stripe answers.
    """
    key = idempotency_key(payment, "cancel")

    def release() -> None:
        if intent.status not in ("succeeded", "canceled", "processing"):
            gateway.cancel(intent.id, key)

    return release


def refund(gateway: PaymentGateway, payment: Payment, amount_cents: int) -> list[RefundState]:
    """Refund up to `amount_cents` in total for this attempt; refunds Stripe already has count towards it."""
    done = gateway.list_refunds(intent_id(payment))
    owed = amount_cents - sum(r.amount for r in done if r.status in ("succeeded", "pending"))
    if owed > 0:
        done.append(
            gateway.refund(
                intent_id(payment),
                owed,
                payment.booking_id,
                idempotency_key(payment, f"refund-{amount_cents}"),
            )
        )
    return done


def sync(
    session: Session,
    payment: Payment,
    intent: IntentState,
    refunds: list[RefundState] | None = None,
    disputes: tuple[DisputeState, ...] = (),
) -> None:
    """Make the Payment and the ledger say what Stripe says (any order, any number of times)."""
    if payment.stripe_payment_intent_id not in (None, intent.id):
        raise PaymentRejected("That PaymentIntent belongs to another payment.")
    payment.stripe_payment_intent_id = intent.id
    was_authorised = intent.status in ("requires_capture", "succeeded") or ledger.has(
        session, LedgerKind.AUTHORISED, intent.id
    )
    if was_authorised:
        ledger.record(session, payment.id, LedgerKind.AUTHORISED, intent.amount, intent.id)
    if intent.status == "succeeded":
        ledger.record(session, payment.id, LedgerKind.CAPTURED, intent.amount_received, intent.id)
        ledger.record(session, payment.id, LedgerKind.RELEASED, intent.amount - intent.amount_received, intent.id)
    elif intent.status == "canceled" and was_authorised:
        ledger.record(session, payment.id, LedgerKind.RELEASED, intent.amount, intent.id)
    for item in refunds or ():
        if item.status in ("succeeded", "pending"):
            ledger.record(session, payment.id, LedgerKind.REFUNDED, item.amount, item.id)
    for dispute in disputes:
        ledger.record(session, payment.id, LedgerKind.DISPUTED, dispute.amount, dispute.id)
    payment.status = _status(payment, intent, refunds, disputes)
    payment.last_error = intent.failure_message if payment.status is PaymentStatus.FAILED else None


def _status(payment: Payment, intent: IntentState, refunds, disputes) -> PaymentStatus:
    if disputes or payment.status is PaymentStatus.DISPUTED:
        return PaymentStatus.DISPUTED
    if refunds is not None:
        payment.amount_refunded_cents = sum(r.amount for r in refunds if r.status in ("succeeded", "pending"))
    if payment.amount_refunded_cents:
        return PaymentStatus.REFUNDED
    if intent.status == "requires_payment_method" and intent.failure_message:
        return PaymentStatus.FAILED
    return _STATUS.get(intent.status, PaymentStatus.PENDING)
