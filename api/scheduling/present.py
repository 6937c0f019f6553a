"""How bookings and slots are shown: plain dicts for the response schemas."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from api.db import as_utc
from api.models import Booking, BookingStatus, Slot
from api.scheduling.policy import BookingPolicy
from api.scheduling.settlement import latest_payment


def slot_view(slot: Slot) -> dict:
    """A slot as the API shows it (times in UTC)."""
    return {
        "id": slot.id,
        "specialist_id": slot.specialist_id,
        "practice_location_id": slot.practice_location_id,
        "mode": slot.mode,
        "starts_at": as_utc(slot.starts_at),
        "ends_at": as_utc(slot.ends_at),
    }


def booking_view(session: Session, booking: Booking, policy: BookingPolicy, client_secret: str | None = None) -> dict:
    """A booking with its slot and its latest payment."""
    payment = latest_payment(session, booking.id) if booking.self_pay else None
    slot = session.get(Slot, booking.slot_id)
    assert slot is not None, "a booking's slot is never deleted (foreign key)"
    view: dict[str, Any] = {
        "id": booking.id,
        "status": booking.status,
        "slot": slot_view(slot),
        "self_pay": booking.self_pay,
        "price_cents": booking.price_cents,
        "expires_at": as_utc(booking.expires_at) if booking.status is BookingStatus.HELD else None,
        "confirmed_at": as_utc(booking.confirmed_at),
        "ended_at": as_utc(booking.ended_at),
        "rescheduled_from_id": booking.rescheduled_from_id,
        "cancellation_policy": policy.describe(),
        "case_id": booking.case_id,
        "referral_id": booking.referral_id,
        "payment": None,
    }
    if payment is not None:
        view["payment"] = {
            "status": payment.status,
            "amount_cents": payment.amount_cents,
            "currency": payment.currency,
            "amount_refunded_cents": payment.amount_refunded_cents,
            "refund_due_cents": payment.refund_due_cents,
            "pending": payment.pending_action,
            "message": payment.last_error,
        }
        if client_secret:
            view["payment"]["client_secret"] = client_secret
    return view
