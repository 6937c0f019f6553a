"""Availability slots, bookings (holds that become appointments) and idempotency records."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Enum,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from api.db import Base, UtcDateTime, utcnow
from api.models.directory import PracticeLocation

# Bookings in these states occupy their slot; the partial unique index below enforces one per slot.
ACTIVE_STATUSES = ("held", "confirmed")
_ACTIVE_SQL = text("status IN ('held', 'confirmed')")


class VisitMode(str, enum.Enum):
    """How a consultation happens."""

    IN_PERSON = "in_person"
    TELEHEALTH = "telehealth"


class BookingStatus(str, enum.Enum):
    """A booking's life: held while the patient pays, then confirmed, or it ends another way."""

    HELD = "held"
    CONFIRMED = "confirmed"
    CANCELLED = "cancelled"
    EXPIRED = "expired"
    RESCHEDULED = "rescheduled"


def _values(enum_cls) -> list[str]:
    return [member.value for member in enum_cls]


class Slot(Base):
    """A consultation time a specialist offers at one of their practice locations."""

    __tablename__ = "slot"
    __table_args__ = (
        # A specialist is in one place at a time; also what makes slot generation idempotent.
        UniqueConstraint("specialist_id", "starts_at"),
        Index("ix_slot_practice_location_starts_at", "practice_location_id", "starts_at"),
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    specialist_id: Mapped[int] = mapped_column(ForeignKey("specialist.id", ondelete="CASCADE"), index=True)
    practice_location_id: Mapped[int] = mapped_column(ForeignKey("practice_location.id", ondelete="CASCADE"))
    mode: Mapped[VisitMode] = mapped_column(Enum(VisitMode, native_enum=False, length=16, values_callable=_values))
    starts_at: Mapped[datetime] = mapped_column(UtcDateTime)
    ends_at: Mapped[datetime] = mapped_column(UtcDateTime)

    practice_location: Mapped[PracticeLocation] = relationship()


class Booking(Base):
    """A patient's claim on a slot: a timed hold first, a confirmed appointment once paid."""

    __tablename__ = "booking"
    __table_args__ = (
        Index("uq_booking_active_slot", "slot_id", unique=True, sqlite_where=_ACTIVE_SQL, postgresql_where=_ACTIVE_SQL),
        # A retried hold (same Idempotency-Key) finds the booking its first attempt made.
        UniqueConstraint("patient_id", "hold_key"),
        Index("ix_booking_status_expires_at", "status", "expires_at"),
        CheckConstraint("price_cents >= 0", name="price_nonneg"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slot_id: Mapped[int] = mapped_column(ForeignKey("slot.id", ondelete="RESTRICT"), index=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    status: Mapped[BookingStatus] = mapped_column(
        Enum(BookingStatus, native_enum=False, length=16, values_callable=_values), default=BookingStatus.HELD
    )
    self_pay: Mapped[bool] = mapped_column(default=True)
    price_cents: Mapped[int] = mapped_column(Integer)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    hold_key: Mapped[str | None] = mapped_column(String(255))
    rescheduled_from_id: Mapped[int | None] = mapped_column(ForeignKey("booking.id", ondelete="SET NULL"))
    # A consultation booked for a second opinion belongs to its case and referral (the referral specialist).
    case_id: Mapped[int | None] = mapped_column(ForeignKey("patient_case.id", ondelete="SET NULL"), index=True)
    referral_id: Mapped[int | None] = mapped_column(ForeignKey("referral.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    confirmed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    slot: Mapped[Slot] = relationship()


class IdempotencyRecord(Base):
    """The first answer to a POST sent with an Idempotency-Key, replayed to every retry."""

    __tablename__ = "idempotency_record"
    __table_args__ = (UniqueConstraint("scope", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    scope: Mapped[str] = mapped_column(String(64))  # "user:<id>": keys are per caller
    key: Mapped[str] = mapped_column(String(255))
    method_path: Mapped[str] = mapped_column(String(300))
    request_sha256: Mapped[str] = mapped_column(String(64))
    # While a request runs it holds the record; a crashed holder's lease runs out.
    locked_until: Mapped[datetime | None] = mapped_column(UtcDateTime)
    response_status: Mapped[int | None] = mapped_column(Integer)
    response_body: Mapped[dict | list | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, index=True)
