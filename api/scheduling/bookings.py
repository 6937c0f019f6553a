"""A booking after the hold: confirm (capture), cancel (release or refund), reschedule, pay again.

State changes are conditional UPDATEs (`WHERE status = <expected>`), so two requests racing on
one booking cannot both move it; Stripe is called only after the change has committed, and a
failed capture puts the booking back on hold.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from api.auth.services import Identity
from api.models import Booking, BookingStatus, Payment, PaymentStatus, Role, Slot
from api.db import as_utc
from api.scheduling.availability import announce
from api.scheduling.holds import authorise_hold, expire_lapsed
from api.scheduling.policy import BookingPolicy, SchedulingError
from api.scheduling.settlement import carry_out, latest_payment, run_pending
from api.transactions import begin_write
from billing import payments
from billing.stripe_client import PaymentError, PaymentServiceUnavailable

HELD, CONFIRMED = BookingStatus.HELD, BookingStatus.CONFIRMED


def load_booking(session: Session, booking_id: int, identity: Identity | None) -> Booking:
    """A booking its patient (or an admin) may see, else SchedulingError 404."""
    booking = session.get(Booking, booking_id)
    if booking is None or (identity and booking.patient_id != identity.user_id and not identity.has_role(Role.ADMIN)):
        raise SchedulingError(404, f"No booking {booking_id}.")
    return booking


def _move(session: Session, booking: Booking, expected: BookingStatus, *where, **values) -> bool:
    """Change a booking only if it is still in `expected` state; True when this call changed it."""
    begin_write(session)
    changed = session.execute(update(Booking).where(Booking.id == booking.id, Booking.status == expected, *where)
                              .values(**values).execution_options(synchronize_session=False)).rowcount
    session.commit()
    session.refresh(booking)
    return changed == 1


def confirm_booking(session: Session, gateway, booking: Booking, now: datetime) -> Booking:
    """Confirm a held booking whose card is authorised, then capture; idempotent once confirmed."""
    if booking.status is CONFIRMED:
        return booking
    if booking.status is not HELD or as_utc(booking.expires_at) <= now:
        state = "no longer held" if booking.status is HELD else booking.status.value
        raise SchedulingError(409, f"This booking is {state}; hold the slot again.")
    payment = latest_payment(session, booking.id)
    if booking.self_pay:
        _require_authorised(session, gateway, booking, payment)
    if not _move(session, booking, HELD, Booking.expires_at > now, status=CONFIRMED, confirmed_at=now):
        if booking.status is CONFIRMED:  # a concurrent confirmation (e.g. the webhook) won
            return booking
        raise SchedulingError(409, "This booking's hold has ended; hold the slot again.")
    if booking.self_pay:
        _capture_or_hold_again(session, gateway, booking, payment)
    return booking


def _require_authorised(session: Session, gateway, booking: Booking, payment: Payment | None) -> None:
    if payment is None or not payment.stripe_payment_intent_id:
        raise SchedulingError(409, "Pay for the booking first: the card has not been authorised.")
    session.commit()  # no transaction is held while Stripe answers
    try:
        intent = gateway.retrieve_intent(payment.stripe_payment_intent_id)
    except PaymentServiceUnavailable:
        raise SchedulingError(503, _unreachable(booking))
    begin_write(session)
    payments.sync(session, payment, intent)
    session.commit()
    if intent.status not in ("requires_capture", "succeeded"):
        raise SchedulingError(409, f"The payment is not authorised yet (Stripe says {intent.status}).")


def _capture_or_hold_again(session: Session, gateway, booking: Booking, payment: Payment) -> None:
    session.commit()  # no transaction is held while Stripe answers
    try:
        intent = payments.capture(gateway, payment)
    except PaymentError as error:
        _move(session, booking, CONFIRMED, status=HELD, confirmed_at=None)
        if isinstance(error, PaymentServiceUnavailable):
            raise SchedulingError(503, _unreachable(booking))
        raise SchedulingError(409, f"The payment could not be captured: {error.message}")
    begin_write(session)
    payments.sync(session, payment, intent)
    session.commit()


def _unreachable(booking: Booking) -> str:
    return ("The payment service is unreachable right now; your slot stays held until "
            f"{as_utc(booking.expires_at).isoformat()}. Try again in a moment; you will not be charged twice.")


def cancel_booking(session: Session, gateway, booking: Booking, policy: BookingPolicy,
                   now: datetime) -> Booking:
    """Cancel: a hold's authorisation is released; a confirmed booking is refunded by the policy."""
    if booking.status in (BookingStatus.CANCELLED, BookingStatus.EXPIRED):
        return booking
    if booking.status not in (HELD, CONFIRMED):
        raise SchedulingError(409, f"This booking is {booking.status.value} and cannot be cancelled.")
    starts_at = as_utc(session.get(Slot, booking.slot_id).starts_at)
    if booking.status is CONFIRMED and starts_at <= now:
        raise SchedulingError(409, "The consultation has started; it can no longer be cancelled.")
    payment, was = latest_payment(session, booking.id), booking.status
    # One transaction cancels and records what is owed back, so a Stripe outage (or a crash) cannot lose it.
    begin_write(session)
    if session.execute(update(Booking).where(Booking.id == booking.id, Booking.status == was).values(
            status=BookingStatus.CANCELLED, ended_at=now).execution_options(synchronize_session=False)).rowcount != 1:
        session.rollback()  # it moved meanwhile (e.g. a webhook confirmed it): decide again from its new state
        return cancel_booking(session, gateway, booking, policy, now)
    announce(session, [booking.slot_id])
    if payment is not None:
        captured = payment.status in (PaymentStatus.CAPTURED, PaymentStatus.REFUNDED)
        payment.pending_action = "refund" if captured else "cancel"
        payment.refund_due_cents = policy.refund_cents(payment.amount_cents, starts_at, now) if captured else 0
    session.commit()
    session.refresh(booking)
    if payment is not None:
        carry_out(session, gateway, payment)
    return booking


def reschedule_booking(session: Session, gateway, booking: Booking, slot_id: int, now: datetime) -> Booking:
    """Move a held or confirmed booking to another slot of the same specialist; its payment moves with it."""
    if booking.status not in (HELD, CONFIRMED):
        raise SchedulingError(409, f"This booking is {booking.status.value} and cannot be rescheduled.")
    old_slot, new_slot = session.get(Slot, booking.slot_id), session.get(Slot, slot_id)
    if new_slot is None or new_slot.specialist_id != old_slot.specialist_id:
        raise SchedulingError(404, f"No slot {slot_id} with this specialist.")
    if as_utc(new_slot.starts_at) <= now or as_utc(old_slot.starts_at) <= now:
        raise SchedulingError(409, "Only future consultations move, and only to future slots.")
    was = booking.status
    session.commit()
    lapsed = expire_lapsed(session, now, Booking.slot_id == slot_id)
    moved = Booking(slot_id=slot_id, patient_id=booking.patient_id, status=was, self_pay=booking.self_pay,
                    price_cents=booking.price_cents, expires_at=booking.expires_at,
                    confirmed_at=booking.confirmed_at, rescheduled_from_id=booking.id)
    session.add(moved)
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
        raise SchedulingError(409, "That slot has just been taken; choose another.")
    left = session.execute(update(Booking).where(Booking.id == booking.id, Booking.status == was).values(
        status=BookingStatus.RESCHEDULED, ended_at=now).execution_options(synchronize_session=False)).rowcount
    if left != 1:
        session.rollback()
        raise SchedulingError(409, "The booking changed meanwhile; reload it and try again.")
    session.execute(update(Payment).where(Payment.booking_id == booking.id).values(booking_id=moved.id)
                    .execution_options(synchronize_session=False))
    announce(session, [booking.slot_id, slot_id])
    session.commit()
    run_pending(session, gateway, booking_ids=lapsed)
    return moved


def pay_again(session: Session, gateway, booking: Booking, payment_method: str | None,
              now: datetime) -> tuple[Booking, str | None]:
    """A new payment attempt for a held booking whose last one failed or was cancelled."""
    if booking.status is not HELD or as_utc(booking.expires_at) <= now or not booking.self_pay:
        raise SchedulingError(409, "Only a self-pay booking that is still held can be paid for.")
    last = latest_payment(session, booking.id)
    if last is not None and last.status not in (PaymentStatus.FAILED, PaymentStatus.CANCELLED):
        raise SchedulingError(409, f"The booking's payment is {last.status.value}; no new attempt is needed.")
    payment = Payment(booking_id=booking.id, attempt=(last.attempt + 1) if last else 1,
                      amount_cents=booking.price_cents)
    session.commit()
    session.add(payment)
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        raise SchedulingError(409, "Another payment attempt has just started for this booking.")
    return booking, authorise_hold(session, gateway, booking, payment, payment_method)


def settle_payment(session: Session, gateway, payment: Payment, now: datetime) -> None:
    """After Stripe reported a change: confirm what the patient paid for, give back what they did not get."""
    booking = session.get(Booking, payment.booking_id)
    if payment.status is PaymentStatus.AUTHORISED and booking.status is HELD and as_utc(booking.expires_at) > now:
        confirm_booking(session, gateway, booking, now)
    elif payment.status is PaymentStatus.CAPTURED and booking.status is HELD:
        _move(session, booking, HELD, status=CONFIRMED, confirmed_at=now)
    elif payment.status in (PaymentStatus.AUTHORISED, PaymentStatus.CAPTURED) and booking.status in (
            BookingStatus.EXPIRED, BookingStatus.CANCELLED) and booking.confirmed_at is None \
            and payment.pending_action is None:
        # Paid for a hold that never became an appointment (e.g. authorised after it ran out): give it back.
        begin_write(session)
        payment.pending_action = "cancel"
        session.commit()
        carry_out(session, gateway, payment)
