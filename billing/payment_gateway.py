"""The contract of the Stripe boundary: what `StripeGateway` and its fake twin both do.

Every call that creates or moves money takes the caller's idempotency key; every failure is a
`PaymentError` (`PaymentServiceUnavailable` when trying again later may work).
"""

from __future__ import annotations

from typing import Protocol

from billing.stripe_client import DisputeState, IntentState, RefundState


class PaymentGateway(Protocol):
    """PaymentIntents with manual capture, refunds and disputes, as plain data."""

    def create_intent(
        self, *, amount_cents: int, currency: str, booking_id: int, payment_method: str | None, idempotency_key: str
    ) -> IntentState:
        """A manual-capture PaymentIntent; authorised at once when a payment method is given."""
        ...

    def retrieve_intent(self, intent_id: str) -> IntentState:
        """The PaymentIntent as it is now."""
        ...

    def capture(self, intent_id: str, amount_cents: int, idempotency_key: str) -> IntentState:
        """Take `amount_cents` of the authorised amount."""
        ...

    def cancel(self, intent_id: str, idempotency_key: str) -> IntentState:
        """Release an authorisation (or abandon an unpaid intent)."""
        ...

    def refund(self, intent_id: str, amount_cents: int, booking_id: int, idempotency_key: str) -> RefundState:
        """Give `amount_cents` of a captured payment back."""
        ...

    def list_refunds(self, intent_id: str) -> list[RefundState]:
        """Every refund of the intent."""
        ...

    def charge_intent(self, charge_id: str) -> str | None:
        """The PaymentIntent a charge belongs to."""
        ...

    def retrieve_dispute(self, dispute_id: str) -> DisputeState:
        """A dispute as it is now."""
        ...
