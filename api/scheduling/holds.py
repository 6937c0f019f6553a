"""Holding a slot while the patient pays, and letting holds run out.

The database alone decides who gets a slot: a partial unique index allows one held-or-confirmed
booking per slot, so of any number of concurrent holds exactly one insert succeeds. These are
steps of the caller's unit of work; none commits.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from api.auth.services import Identity
from api.db import as_utc
from api.errors import Conflict, Invalid, NotFound
from api.models import Booking, BookingStatus, Payment, PaymentStatus, Slot, Specialist
from api.scheduling.availability import announce
from api.scheduling.policy import BookingPolicy
from api.scheduling.referral_link import ReferralLink, link_for_hold
from api.scheduling.settlement import latest_payment
from billing.stripe_client import PaymentError


def hold(
    session: Session,
    identity: Identity,
    slot_id: int,
    *,
    policy: BookingPolicy,
    now: datetime,
    self_pay: bool = True,
    hold_key: str | None = None,
    referral_id: int | None = None,
) -> tuple[Booking, Payment | None, list[int]]:
    """Hold a slot for `policy.hold_minutes`: the booking, its payment attempt, and the lapsed holds it expired.

    A retry with the same `hold_key` (the Idempotency-Key) resumes the booking its first attempt made.
    With `referral_id`, the booking belongs to that referral and its case (see `referral_link`).
    The card is authorised afterwards, outside this transaction (`flows.hold_slot`).
    """
    booking = (
        session.scalar(select(Booking).where(Booking.patient_id == identity.user_id, Booking.hold_key == hold_key))
        if hold_key
        else None
    )
    lapsed: list[int] = []
    if booking is not None:
        _check_resumable(booking, slot_id, now)
    else:
        link = link_for_hold(session, identity, slot_id, referral_id)
        price = _bookable_price(session, slot_id, now, self_pay)
        booking, lapsed = _claim(
            session, slot_id, identity.user_id, price, self_pay, hold_key, policy.hold_expiry(now), now, link
        )
    return booking, latest_payment(session, booking.id), lapsed


def record_refusal(payment: Payment, error: PaymentError) -> None:
    """Note on the payment why Stripe did not authorise it: a declined or refused card fails the attempt."""
    if error.retryable:
        payment.last_error = "The payment service was unreachable."
    else:
        payment.status, payment.last_error = PaymentStatus.FAILED, error.message


def _check_resumable(booking: Booking, slot_id: int, now: datetime) -> None:
    """A retried hold may resume its booking only for the same slot and while the hold lasts."""
    if booking.slot_id != slot_id:
        raise Invalid("This Idempotency-Key was used to hold another slot; use a new key.")
    lapsed = booking.status is BookingStatus.HELD and as_utc(booking.expires_at) <= now
    if lapsed or booking.status not in (BookingStatus.HELD, BookingStatus.CONFIRMED):
        raise Conflict("That hold has ended; hold the slot again with a new Idempotency-Key.")


def _bookable_price(session: Session, slot_id: int, now: datetime, self_pay: bool) -> int:
    row = session.execute(
        select(Slot.starts_at, Specialist.self_pay_price_cents)
        .join(Specialist, Slot.specialist_id == Specialist.id)
        .where(Slot.id == slot_id)
    ).first()
    if row is None:
        raise NotFound(f"No slot {slot_id}.")
    starts_at, price = row
    if as_utc(starts_at) <= now:
        raise Conflict("That slot is in the past.")
    if self_pay and not price:
        raise Conflict("This specialist lists no self-pay price; book through your insurance.")
    return price if self_pay and price else 0


def _claim(
    session: Session,
    slot_id: int,
    patient_id: int,
    price: int,
    self_pay: bool,
    hold_key: str | None,
    expires_at: datetime,
    now: datetime,
    link: ReferralLink | None = None,
) -> tuple[Booking, list[int]]:
    """Insert the hold in a transaction that first expires any lapsed hold on the slot; 409 if taken.

    Returns the booking and the ids of the lapsed holds it expired (their authorisations need releasing).
    """
    expired = expire_lapsed(session, now, Booking.slot_id == slot_id)
    booking = Booking(
        slot_id=slot_id,
        patient_id=patient_id,
        status=BookingStatus.HELD,
        self_pay=self_pay,
        price_cents=price,
        expires_at=expires_at,
        hold_key=hold_key,
        case_id=link.case_id if link else None,
        referral_id=link.referral_id if link else None,
    )
    session.add(booking)
    try:
        session.flush()
    except IntegrityError as err:  # the partial unique index: another hold won; the unit of work rolls back
        raise Conflict("That slot has just been taken; choose another.") from err
    if self_pay:
        session.add(Payment(booking_id=booking.id, attempt=1, amount_cents=price))
    announce(session, [slot_id])
    session.flush()
    return booking, expired


def expire_lapsed(session: Session, now: datetime, *where) -> list[int]:
    """Mark lapsed holds expired (as a transaction's first write) and queue their releases; returns their ids."""
    ids = list(
        session.scalars(
            update(Booking)
            .where(Booking.status == BookingStatus.HELD, Booking.expires_at <= now, *where)
            .values(status=BookingStatus.EXPIRED, ended_at=now)
            .returning(Booking.id)
            .execution_options(synchronize_session=False)
        )
    )
    if ids:
        announce(session, session.scalars(select(Booking.slot_id).where(Booking.id.in_(ids))).all())
        session.execute(
            update(Payment)
            .where(Payment.booking_id.in_(ids), Payment.status.not_in([PaymentStatus.CANCELLED, PaymentStatus.FAILED]))
            .values(pending_action="cancel")
            .execution_options(synchronize_session=False)
        )
    return ids


def expire_holds(session: Session, now: datetime) -> int:
    """Expire every lapsed hold; their authorisations are released by `flows.run_pending`."""
    return len(expire_lapsed(session, now))
