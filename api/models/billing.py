"""Self-pay money: PaymentIntents per booking, the ledger of every movement, received Stripe events."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Enum,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from api.db import Base, UtcDateTime, utcnow


class PaymentStatus(str, enum.Enum):
    """Our view of a PaymentIntent, kept in step with Stripe by the payment flow and webhooks."""

    PENDING = "pending"  # created here; Stripe not reached yet (or unreachable)
    REQUIRES_ACTION = "requires_action"  # the patient must finish paying (card entry, 3-D Secure)
    AUTHORISED = "authorised"  # funds held on the card (requires_capture)
    CAPTURED = "captured"
    CANCELLED = "cancelled"  # authorisation released, nothing charged
    FAILED = "failed"  # the card was declined; the patient may try again
    REFUNDED = "refunded"  # wholly or partly: see amount_refunded_cents
    DISPUTED = "disputed"


class LedgerAccount(str, enum.Enum):
    """Where money sits: on the patient's card, held for us, or collected by us."""

    PATIENT = "patient"
    HELD = "held"
    COLLECTED = "collected"
    DISPUTED = "disputed"


class LedgerKind(str, enum.Enum):
    """A movement of money; each moves `amount_cents` from the credit to the debit account."""

    AUTHORISED = "authorised"  # patient -> held
    RELEASED = "released"  # held -> patient
    CAPTURED = "captured"  # held -> collected
    REFUNDED = "refunded"  # collected -> patient
    DISPUTED = "disputed"  # collected -> disputed


def _values(enum_cls) -> list[str]:
    return [member.value for member in enum_cls]


class Payment(Base):
    """One attempt to take a booking's self-pay price through a Stripe PaymentIntent."""

    __tablename__ = "payment"
    __table_args__ = (
        UniqueConstraint("booking_id", "attempt"),
        CheckConstraint("amount_cents > 0", name="amount_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("booking.id", ondelete="RESTRICT"), index=True)
    attempt: Mapped[int] = mapped_column(Integer, default=1)
    stripe_payment_intent_id: Mapped[str | None] = mapped_column(String(255), unique=True)
    amount_cents: Mapped[int] = mapped_column(Integer)
    currency: Mapped[str] = mapped_column(String(3), default="usd")
    status: Mapped[PaymentStatus] = mapped_column(
        Enum(PaymentStatus, native_enum=False, length=20, values_callable=_values), default=PaymentStatus.PENDING
    )
    amount_refunded_cents: Mapped[int] = mapped_column(Integer, default=0)
    # Work promised to the patient that Stripe has not done yet (e.g. while it was unreachable).
    pending_action: Mapped[str | None] = mapped_column(String(16))  # cancel | refund
    refund_due_cents: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)

    entries: Mapped[list[LedgerEntry]] = relationship(back_populates="payment", order_by="LedgerEntry.id")


class LedgerEntry(Base):
    """One movement of money, double-entry: `amount_cents` leaves `credit` and arrives at `debit`.

    `stripe_ref` names the Stripe object the movement is (PaymentIntent, Refund or Dispute);
    (kind, stripe_ref) is unique, so however often an event is seen, money moves once.
    """

    __tablename__ = "ledger_entry"
    __table_args__ = (
        UniqueConstraint("kind", "stripe_ref"),
        CheckConstraint("amount_cents > 0", name="amount_positive"),
        CheckConstraint("debit <> credit", name="two_accounts"),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    payment_id: Mapped[int] = mapped_column(ForeignKey("payment.id", ondelete="RESTRICT"), index=True)
    kind: Mapped[LedgerKind] = mapped_column(Enum(LedgerKind, native_enum=False, length=16, values_callable=_values))
    debit: Mapped[LedgerAccount] = mapped_column(
        Enum(LedgerAccount, native_enum=False, length=16, values_callable=_values)
    )
    credit: Mapped[LedgerAccount] = mapped_column(
        Enum(LedgerAccount, native_enum=False, length=16, values_callable=_values)
    )
    amount_cents: Mapped[int] = mapped_column(Integer)
    stripe_ref: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    payment: Mapped[Payment] = relationship(back_populates="entries")


class StripeEvent(Base):
    """A webhook event exactly as Stripe sent it, deduplicated on its id."""

    __tablename__ = "stripe_event"

    id: Mapped[str] = mapped_column(String(255), primary_key=True)  # evt_...
    type: Mapped[str] = mapped_column(String(100))
    payload: Mapped[str] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    # A delivery that is processing holds the event until then; a crashed one lets go when it passes.
    claimed_until: Mapped[datetime | None] = mapped_column(UtcDateTime)
    processed_at: Mapped[datetime | None] = mapped_column(UtcDateTime, index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(String(500))
