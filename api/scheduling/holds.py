"""Holding a slot while the patient pays, and letting holds run out.

The database alone decides who gets a slot: a partial unique index allows one held-or-confirmed
booking per slot, so of any number of concurrent holds exactly one insert succeeds. Each write
transaction starts with a write (SQLite WAL cannot upgrade a read snapshot that went stale).
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from api.auth.services import Identity
from api.models import Booking, BookingStatus, Payment, PaymentStatus, Slot, Specialist
from api.db import as_utc
from api.scheduling.availability import announce
from api.scheduling.policy import BookingPolicy, SchedulingError
from api.scheduling.settlement import latest_payment, run_pending
from api.transactions import begin_write
from billing import payments
from billing.stripe_client import PaymentDeclined, PaymentRejected, PaymentServiceUnavailable


def hold_slot(session: Session, gateway, identity: Identity, slot_id: int, *, policy: BookingPolicy,
              now: datetime, self_pay: bool = True, payment_method: str | None = None,
              hold_key: str | None = None) -> tuple[Booking, str | None]:
    """Hold a slot for `policy.hold_minutes` and authorise the card; returns the booking and client secret.

    A retry with the same `hold_key` (the Idempotency-Key) resumes the booking its first attempt made.
    """
    session.commit()
    booking = session.scalar(select(Booking).where(
        Booking.patient_id == identity.user_id, Booking.hold_key == hold_key)) if hold_key else None
    if booking is not None:
        _check_resumable(booking, slot_id, now)
    else:
        price = _bookable_price(session, slot_id, now, self_pay)
        session.commit()
        booking, lapsed = _claim(session, slot_id, identity.user_id, price, self_pay, hold_key,
                                 policy.hold_expiry(now), now)
        run_pending(session, gateway, booking_ids=lapsed)
    payment = latest_payment(session, booking.id)
    if booking.status is not BookingStatus.HELD or payment is None or payment.status is not PaymentStatus.PENDING:
        return booking, None
    return booking, authorise_hold(session, gateway, booking, payment, payment_method)


def authorise_hold(session: Session, gateway, booking: Booking, payment: Payment,
                   payment_method: str | None) -> str | None:
    """Create (or find) the PaymentIntent and record what Stripe says; returns its client secret."""
    session.commit()  # no transaction (on SQLite: no write lock) is held while Stripe answers
    try:
        intent = payments.authorise(gateway, payment, payment_method)
    except PaymentServiceUnavailable:
        begin_write(session)
        payment.last_error = "The payment service was unreachable."
        session.commit()
        raise SchedulingError(503, "The payment service is unreachable right now; your slot stays held until "
                              f"{as_utc(booking.expires_at).isoformat()}. Retry with the same Idempotency-Key; "
                              "you will not be charged twice.")
    except PaymentDeclined as declined:
        begin_write(session)
        payment.status, payment.last_error = PaymentStatus.FAILED, declined.message
        session.commit()
        return None
    except PaymentRejected as rejected:
        begin_write(session)
        payment.status, payment.last_error = PaymentStatus.FAILED, rejected.message
        session.commit()
        return None
    begin_write(session)
    payments.sync(session, payment, intent)
    session.commit()
    return intent.client_secret


def _check_resumable(booking: Booking, slot_id: int, now: datetime) -> None:
    """A retried hold may resume its booking only for the same slot and while the hold lasts."""
    if booking.slot_id != slot_id:
        raise SchedulingError(422, "This Idempotency-Key was used to hold another slot; use a new key.")
    lapsed = booking.status is BookingStatus.HELD and as_utc(booking.expires_at) <= now
    if lapsed or booking.status not in (BookingStatus.HELD, BookingStatus.CONFIRMED):
        raise SchedulingError(409, "That hold has ended; hold the slot again with a new Idempotency-Key.")


def _bookable_price(session: Session, slot_id: int, now: datetime, self_pay: bool) -> int:
    row = session.execute(select(Slot.starts_at, Specialist.self_pay_price_cents)
                          .join(Specialist, Slot.specialist_id == Specialist.id).where(Slot.id == slot_id)).first()
    if row is None:
        raise SchedulingError(404, f"No slot {slot_id}.")
    starts_at, price = row
    if as_utc(starts_at) <= now:
        raise SchedulingError(409, "That slot is in the past.")
    if self_pay and not price:
        raise SchedulingError(409, "This specialist lists no self-pay price; book through your insurance.")
    return price if self_pay and price else 0


def _claim(session: Session, slot_id: int, patient_id: int, price: int, self_pay: bool, hold_key: str | None,
           expires_at: datetime, now: datetime) -> tuple[Booking, list[int]]:
    """Insert the hold in a transaction that first expires any lapsed hold on the slot; 409 if taken.

    Returns the booking and the ids of the lapsed holds it expired (their authorisations need releasing).
    """
    expired = expire_lapsed(session, now, Booking.slot_id == slot_id)
    booking = Booking(slot_id=slot_id, patient_id=patient_id, status=BookingStatus.HELD, self_pay=self_pay,
                      price_cents=price, expires_at=expires_at, hold_key=hold_key)
    session.add(booking)
    try:
        session.flush()
        if self_pay:
            session.add(Payment(booking_id=booking.id, attempt=1, amount_cents=price))
        announce(session, [slot_id])
        session.commit()
    except IntegrityError:
        session.rollback()
        raise SchedulingError(409, "That slot has just been taken; choose another.")
    return booking, expired


def expire_lapsed(session: Session, now: datetime, *where) -> list[int]:
    """Mark lapsed holds expired (as a transaction's first write) and queue their releases; returns their ids."""
    ids = list(session.scalars(
        update(Booking).where(Booking.status == BookingStatus.HELD, Booking.expires_at <= now, *where)
        .values(status=BookingStatus.EXPIRED, ended_at=now).returning(Booking.id)
        .execution_options(synchronize_session=False)))
    if ids:
        announce(session, session.scalars(select(Booking.slot_id).where(Booking.id.in_(ids))).all())
        session.execute(update(Payment).where(Payment.booking_id.in_(ids), Payment.status.not_in(
            [PaymentStatus.CANCELLED, PaymentStatus.FAILED])).values(pending_action="cancel")
            .execution_options(synchronize_session=False))
    return ids


def expire_holds(session: Session, now: datetime) -> int:
    """Expire every lapsed hold; their authorisations are released by `bookings.run_pending`."""
    session.commit()
    ids = expire_lapsed(session, now)
    session.commit()
    return len(ids)
