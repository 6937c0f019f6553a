"""A booking after the hold: confirm, cancel (release or refund), reschedule, pay again.

State changes are conditional UPDATEs (`WHERE status = <expected>`), so two requests racing on
one booking cannot both move it. These are steps of the caller's unit of work and never commit;
the Stripe calls around them (capture after a confirmation commits, a release or refund after a
cancellation commits) are `flows.py`'s.
"""

from __future__ import annotations

from datetime import datetime
from typing import cast

from sqlalchemy import CursorResult, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from api.auth.services import Identity
from api.db import as_utc
from api.errors import Conflict, NotFound
from api.models import Booking, BookingStatus, Payment, PaymentStatus, Role, Slot
from api.scheduling.availability import announce
from api.scheduling.holds import expire_lapsed
from api.scheduling.policy import BookingPolicy
from api.scheduling.settlement import latest_payment

HELD, CONFIRMED = BookingStatus.HELD, BookingStatus.CONFIRMED


def load_booking(session: Session, booking_id: int, identity: Identity | None) -> Booking:
    """A booking its patient (or an admin) may see, else NotFound."""
    booking = session.get(Booking, booking_id)
    if booking is None or (identity and booking.patient_id != identity.user_id and not identity.has_role(Role.ADMIN)):
        raise NotFound(f"No booking {booking_id}.")
    return booking


def move(session: Session, booking: Booking, expected: BookingStatus, *where, **values) -> bool:
    """Change a booking only if it is still in `expected` state; True when this call changed it."""
    changed = cast(
        CursorResult,
        session.execute(
            update(Booking)
            .where(Booking.id == booking.id, Booking.status == expected, *where)
            .values(**values)
            .execution_options(synchronize_session=False)
        ),
    ).rowcount
    session.refresh(booking)
    return changed == 1


def confirmable_payment(session: Session, booking: Booking, now: datetime) -> Payment | None:
    """The payment to check before confirming a held booking (None when insured); 409 when it cannot be."""
    if booking.status is not HELD or as_utc(booking.expires_at) <= now:
        state = "no longer held" if booking.status is HELD else booking.status.value
        raise Conflict(f"This booking is {state}; hold the slot again.")
    if not booking.self_pay:
        return None
    payment = latest_payment(session, booking.id)
    if payment is None or not payment.stripe_payment_intent_id:
        raise Conflict("Pay for the booking first: the card has not been authorised.")
    return payment


def confirm(session: Session, booking: Booking, now: datetime) -> bool:
    """Move a held booking to confirmed: True when this call did, False when a concurrent one (the webhook) did.

    409 when its hold ended meanwhile.
    """
    if move(session, booking, HELD, Booking.expires_at > now, status=CONFIRMED, confirmed_at=now):
        return True
    if booking.status is CONFIRMED:
        return False
    raise Conflict("This booking's hold has ended; hold the slot again.")


def unreachable(booking: Booking) -> str:
    """What the patient is told when Stripe cannot be reached during a booking step."""
    return (
        "The payment service is unreachable right now; your slot stays held until "
        f"{as_utc(booking.expires_at).isoformat()}. Try again in a moment; you will not be charged twice."
    )


def cancel(session: Session, booking: Booking, policy: BookingPolicy, now: datetime) -> Payment | None:
    """Cancel a held or confirmed booking and record what is owed back; returns the payment to settle.

    One transaction cancels and records the promise, so a Stripe outage (or a crash) cannot lose it.
    """
    if booking.status in (BookingStatus.CANCELLED, BookingStatus.EXPIRED):
        return None
    if booking.status not in (HELD, CONFIRMED):
        raise Conflict(f"This booking is {booking.status.value} and cannot be cancelled.")
    starts_at = as_utc(session.get_one(Slot, booking.slot_id).starts_at)
    if booking.status is CONFIRMED and starts_at <= now:
        raise Conflict("The consultation has started; it can no longer be cancelled.")
    payment, was = latest_payment(session, booking.id), booking.status
    if not move(session, booking, was, status=BookingStatus.CANCELLED, ended_at=now):
        return cancel(session, booking, policy, now)  # it moved meanwhile (a webhook confirmed it): decide again
    announce(session, [booking.slot_id])
    if payment is not None:
        captured = payment.status in (PaymentStatus.CAPTURED, PaymentStatus.REFUNDED)
        payment.pending_action = "refund" if captured else "cancel"
        payment.refund_due_cents = policy.refund_cents(payment.amount_cents, starts_at, now) if captured else 0
    return payment


def reschedule(session: Session, booking: Booking, slot_id: int, now: datetime) -> tuple[Booking, list[int]]:
    """Move a held or confirmed booking to another slot of the same specialist; its payment moves with it.

    Returns the new booking and the lapsed holds on the target slot that were expired on the way.
    """
    if booking.status not in (HELD, CONFIRMED):
        raise Conflict(f"This booking is {booking.status.value} and cannot be rescheduled.")
    old_slot, new_slot = session.get_one(Slot, booking.slot_id), session.get(Slot, slot_id)
    if new_slot is None or new_slot.specialist_id != old_slot.specialist_id:
        raise NotFound(f"No slot {slot_id} with this specialist.")
    if as_utc(new_slot.starts_at) <= now or as_utc(old_slot.starts_at) <= now:
        raise Conflict("Only future consultations move, and only to future slots.")
    was = booking.status
    lapsed = expire_lapsed(session, now, Booking.slot_id == slot_id)
    moved = Booking(
        slot_id=slot_id,
        patient_id=booking.patient_id,
        status=was,
        self_pay=booking.self_pay,
        price_cents=booking.price_cents,
        expires_at=booking.expires_at,
        confirmed_at=booking.confirmed_at,
        rescheduled_from_id=booking.id,
        case_id=booking.case_id,
        referral_id=booking.referral_id,
    )
    session.add(moved)
    try:
        session.flush()
    except IntegrityError as err:  # the unit of work rolls back
        raise Conflict("That slot has just been taken; choose another.") from err
    left = cast(
        CursorResult,
        session.execute(
            update(Booking)
            .where(Booking.id == booking.id, Booking.status == was)
            .values(status=BookingStatus.RESCHEDULED, ended_at=now)
            .execution_options(synchronize_session=False)
        ),
    ).rowcount
    if left != 1:
        raise Conflict("The booking changed meanwhile; reload it and try again.")
    session.execute(
        update(Payment)
        .where(Payment.booking_id == booking.id)
        .values(booking_id=moved.id)
        .execution_options(synchronize_session=False)
    )
    announce(session, [booking.slot_id, slot_id])
    return moved, lapsed


def new_attempt(session: Session, booking: Booking, now: datetime) -> Payment:
    """A new payment attempt for a held booking whose last one failed or was cancelled."""
    if booking.status is not HELD or as_utc(booking.expires_at) <= now or not booking.self_pay:
        raise Conflict("Only a self-pay booking that is still held can be paid for.")
    last = latest_payment(session, booking.id)
    if last is not None and last.status not in (PaymentStatus.FAILED, PaymentStatus.CANCELLED):
        raise Conflict(f"The booking's payment is {last.status.value}; no new attempt is needed.")
    payment = Payment(
        booking_id=booking.id, attempt=(last.attempt + 1) if last else 1, amount_cents=booking.price_cents
    )
    session.add(payment)
    try:
        session.flush()
    except IntegrityError as err:  # the unit of work rolls back
        raise Conflict("Another payment attempt has just started for this booking.") from err
    return payment


def settlement_step(session: Session, booking: Booking, payment: Payment, now: datetime) -> str | None:
    """After Stripe reported a change: what the booking needs (confirm | give_back), doing what needs no Stripe.

    A capture Stripe reports confirms the held booking here; a payment for a hold that never
    became an appointment (e.g. authorised after it ran out) is promised back.
    """
    if payment.status is PaymentStatus.AUTHORISED and booking.status is HELD and as_utc(booking.expires_at) > now:
        return "confirm"
    if payment.status is PaymentStatus.CAPTURED and booking.status is HELD:
        move(session, booking, HELD, status=CONFIRMED, confirmed_at=now)
    elif (
        payment.status in (PaymentStatus.AUTHORISED, PaymentStatus.CAPTURED)
        and booking.status in (BookingStatus.EXPIRED, BookingStatus.CANCELLED)
        and booking.confirmed_at is None
        and payment.pending_action is None
    ):
        payment.pending_action = "cancel"
        return "give_back"
    return None
