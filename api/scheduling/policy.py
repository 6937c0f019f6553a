"""Scheduling rules that are settings: hold length and the cancellation (refund) policy."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from api.coverage.verdict import share


@dataclass(frozen=True)
class BookingPolicy:
    """How long a hold lasts and what a cancellation gives back.

    Cancellation policy (self-pay): cancelled at least `full_refund_hours` before the start, the
    whole price is refunded; later than that, `late_refund_pct` percent of it; once the
    consultation has started it cannot be cancelled. A hold that is cancelled or runs out is
    never charged: its card authorisation is released.
    """

    hold_minutes: int = 15
    full_refund_hours: int = 24
    late_refund_pct: int = 50

    @classmethod
    def from_config(cls, config) -> BookingPolicy:
        """The policy of the app's HOLD_MINUTES and CANCELLATION_* settings."""
        return cls(
            config["HOLD_MINUTES"], config["CANCELLATION_FULL_REFUND_HOURS"], config["LATE_CANCELLATION_REFUND_PCT"]
        )

    def hold_expiry(self, now: datetime) -> datetime:
        """When a hold placed now runs out."""
        return now + timedelta(minutes=self.hold_minutes)

    def refund_cents(self, paid_cents: int, starts_at: datetime, now: datetime) -> int:
        """What a cancellation now gives back of `paid_cents` for a consultation at `starts_at`."""
        if starts_at - now >= timedelta(hours=self.full_refund_hours):
            return paid_cents
        return share(paid_cents, self.late_refund_pct)

    def describe(self) -> str:
        """The policy in one sentence, for patients."""
        return (
            f"Cancel at least {self.full_refund_hours} hours ahead for a full refund; later cancellations "
            f"are refunded {self.late_refund_pct}%."
        )
