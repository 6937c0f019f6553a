"""Scheduling's application services: the units of work of a booking step, and the Stripe call between them.

No transaction may be open while Stripe answers (on SQLite it would hold the write lock), so a
step that talks to Stripe is several explicit units of work, run here and never inside a service:

- hold: claim the slot (unit 1); authorise at Stripe with the attempt's idempotency key; record
  the intent (unit 2, whose rollback cancels the intent);
- confirm: ask Stripe whether the card is authorised and record it (unit 1); confirm (unit 2);
  capture and record it (unit 3), or put the booking back on hold when Stripe refuses;
- cancel, reschedule, expiry: change the booking and promise the release or refund in the same
  transaction (`Payment.pending_action`, unit 1); carry it out at Stripe and record it (unit 2).

Each unit commits what is true at that moment, so a crash between two of them leaves a state that
a retry with the same Idempotency-Key, the webhook or the `expire-holds` sweep completes. The
views, the webhook and the commands call these with the session whose units of work they run.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy.orm import Session

from api.auth.services import Identity
from api.db import as_utc
from api.errors import Conflict, Unavailable
from api.idempotency import forget_old
from api.models import Booking, BookingStatus, Payment, PaymentStatus
from api.scheduling import bookings, holds, settlement
from api.scheduling.policy import BookingPolicy
from api.unit_of_work import unit_of_work
from billing import payments
from billing.payment_gateway import PaymentGateway
from billing.stripe_client import IntentState, PaymentError, PaymentServiceUnavailable


def hold_slot(
    session: Session,
    gateway: PaymentGateway,
    identity: Identity,
    slot_id: int,
    *,
    policy: BookingPolicy,
    now: datetime,
    self_pay: bool = True,
    payment_method: str | None = None,
    hold_key: str | None = None,
    referral_id: int | None = None,
) -> tuple[Booking, str | None]:
    """Hold a slot and authorise the card; returns the booking and the PaymentIntent's client secret."""
    with unit_of_work(session) as uow:
        booking, payment, lapsed = holds.hold(
            uow.session,
            identity,
            slot_id,
            policy=policy,
            now=now,
            self_pay=self_pay,
            hold_key=hold_key,
            referral_id=referral_id,
        )
    run_pending(session, gateway, booking_ids=lapsed)
    if booking.status is not BookingStatus.HELD or payment is None or payment.status is not PaymentStatus.PENDING:
        return booking, None
    return booking, authorise(session, gateway, booking, payment, payment_method)


def authorise(
    session: Session, gateway: PaymentGateway, booking: Booking, payment: Payment, payment_method: str | None
) -> str | None:
    """Create (or find) the attempt's PaymentIntent, then record it; returns its client secret.

    Stripe first, with the attempt's idempotency key; the unit of work that records the intent
    cancels it if its commit fails. A declined card fails the attempt (the patient may pay again).
    """
    try:
        intent = payments.authorise(gateway, payment, payment_method)
    except PaymentError as error:
        with unit_of_work(session):
            holds.record_refusal(payment, error)
        if error.retryable:
            raise Unavailable(
                "The payment service is unreachable right now; your slot stays held until "
                f"{as_utc(booking.expires_at).isoformat()}. Retry with the same Idempotency-Key; "
                "you will not be charged twice."
            ) from error
        return None
    with unit_of_work(session) as uow:
        uow.on_rollback(payments.abandon(gateway, payment, intent))
        payments.sync(uow.session, payment, intent)
    return intent.client_secret


def confirm_booking(session: Session, gateway: PaymentGateway, booking: Booking, now: datetime) -> Booking:
    """Confirm a held booking whose card is authorised, then capture; idempotent once confirmed."""
    if booking.status is BookingStatus.CONFIRMED:
        return booking
    with unit_of_work(session) as uow:
        payment = bookings.confirmable_payment(uow.session, booking, now)
    if payment is not None:
        intent = _current_intent(gateway, booking, payment)
        with unit_of_work(session) as uow:
            payments.sync(uow.session, payment, intent)
        if intent.status not in ("requires_capture", "succeeded"):
            raise Conflict(f"The payment is not authorised yet (Stripe says {intent.status}).")
    with unit_of_work(session) as uow:
        confirmed_here = bookings.confirm(uow.session, booking, now)
    if payment is not None and confirmed_here:
        _capture(session, gateway, booking, payment)
    return booking


def _current_intent(gateway: PaymentGateway, booking: Booking, payment: Payment) -> IntentState:
    try:
        return gateway.retrieve_intent(payments.intent_id(payment))
    except PaymentServiceUnavailable as err:
        raise Unavailable(bookings.unreachable(booking)) from err


def _capture(session: Session, gateway: PaymentGateway, booking: Booking, payment: Payment) -> None:
    """Capture after the confirmation committed; when Stripe refuses, a unit of work puts the hold back."""
    try:
        intent = payments.capture(gateway, payment)
    except PaymentError as error:
        with unit_of_work(session) as uow:
            bookings.move(uow.session, booking, BookingStatus.CONFIRMED, status=BookingStatus.HELD, confirmed_at=None)
        if error.retryable:
            raise Unavailable(bookings.unreachable(booking)) from error
        raise Conflict(f"The payment could not be captured: {error.message}") from error
    with unit_of_work(session) as uow:
        payments.sync(uow.session, payment, intent)


def cancel_booking(
    session: Session, gateway: PaymentGateway, booking: Booking, policy: BookingPolicy, now: datetime
) -> Booking:
    """Cancel: a hold's authorisation is released; a confirmed booking is refunded by the policy."""
    with unit_of_work(session) as uow:
        payment = bookings.cancel(uow.session, booking, policy, now)
    if payment is not None:
        carry_out(session, gateway, payment)
    return booking


def reschedule_booking(
    session: Session, gateway: PaymentGateway, booking: Booking, slot_id: int, now: datetime
) -> Booking:
    """Move a held or confirmed booking to another slot of the same specialist; answers the new booking."""
    with unit_of_work(session) as uow:
        moved, lapsed = bookings.reschedule(uow.session, booking, slot_id, now)
    run_pending(session, gateway, booking_ids=lapsed)
    return moved


def pay_again(
    session: Session, gateway: PaymentGateway, booking: Booking, payment_method: str | None, now: datetime
) -> tuple[Booking, str | None]:
    """A new payment attempt for a held booking whose last one failed or was cancelled."""
    with unit_of_work(session) as uow:
        payment = bookings.new_attempt(uow.session, booking, now)
    return booking, authorise(session, gateway, booking, payment, payment_method)


def settle_payment(session: Session, gateway: PaymentGateway, payment: Payment, now: datetime) -> None:
    """After Stripe reported a change: confirm what the patient paid for, give back what they did not get."""
    with unit_of_work(session) as uow:
        booking = uow.session.get_one(Booking, payment.booking_id)
        step = bookings.settlement_step(uow.session, booking, payment, now)
    if step == "confirm":
        confirm_booking(session, gateway, booking, now)
    elif step == "give_back":
        carry_out(session, gateway, payment)


def run_pending(session: Session, gateway: PaymentGateway, *, booking_ids: Iterable[int] | None = None) -> int:
    """Carry out pending releases and refunds (of these bookings, or all); returns how many were done."""
    with unit_of_work(session) as uow:
        due = settlement.pending(uow.session, booking_ids)
    return sum(carry_out(session, gateway, payment) for payment in due)


def carry_out(session: Session, gateway: PaymentGateway, payment: Payment) -> bool:
    """Do one payment's promised release or refund at Stripe, then record it; False while Stripe is away."""
    try:
        outcome = settlement.ask_stripe(gateway, payment)
    except PaymentServiceUnavailable:
        with unit_of_work(session):
            settlement.postpone(payment)
        return False
    with unit_of_work(session) as uow:
        settlement.record_outcome(uow.session, payment, outcome)
    return True


def expire_holds(session: Session, gateway: PaymentGateway, now: datetime) -> tuple[int, int]:
    """The sweep: expire lapsed holds, release and refund what is owed, forget old Idempotency-Keys.

    Returns how many holds expired and how many releases or refunds were done at Stripe.
    """
    with unit_of_work(session) as uow:
        expired = holds.expire_holds(uow.session, now)
    done = run_pending(session, gateway)
    with unit_of_work(session) as uow:
        forget_old(uow.session, now)
    return expired, done
