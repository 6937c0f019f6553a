"""Stripe behind one small class: PaymentIntents with manual capture, refunds, disputes, as plain data.

Every call that creates or moves money carries the caller's idempotency key. Only a booking id
ever goes to Stripe as metadata: no names, conditions or diagnoses.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import stripe

from api.errors import Conflict, DomainError, Unavailable


class PaymentError(DomainError):
    """Stripe could not do what was asked (402); `retryable` says whether trying again later may work."""

    status = 402
    retryable = False


class PaymentServiceUnavailable(Unavailable, PaymentError):
    """Stripe was unreachable, timed out, rate-limited us or failed on its side (503, retry)."""

    retryable = True


class PaymentDeclined(PaymentError):
    """The card was declined (402); the patient may try another."""


class PaymentRejected(Conflict, PaymentError):
    """Stripe refused the request itself: wrong state, unknown object (409)."""


@dataclass(frozen=True)
class IntentState:
    """What Stripe says about a PaymentIntent right now."""

    id: str
    status: str  # requires_payment_method | requires_confirmation | requires_action | processing
    #             | requires_capture | succeeded | canceled
    amount: int
    amount_capturable: int = 0
    amount_received: int = 0
    currency: str = "usd"
    client_secret: str | None = None
    latest_charge: str | None = None
    failure_message: str | None = None
    metadata: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class RefundState:
    """One refund of a PaymentIntent's charge."""

    id: str
    amount: int
    status: str  # pending | succeeded | failed | canceled | requires_action


@dataclass(frozen=True)
class DisputeState:
    """A chargeback opened by the patient's bank."""

    id: str
    payment_intent: str | None
    amount: int
    status: str


def _id(value: Any) -> str | None:
    """An object id whether the field came back expanded or not."""
    return value if value is None or isinstance(value, str) else value["id"]


def _plain(obj: Any) -> dict:
    return obj.to_dict() if hasattr(obj, "to_dict") else dict(obj or {})


def _intent(obj: Any) -> IntentState:
    data = _plain(obj)
    status, amount, error = data["status"], int(data["amount"]), data.get("last_payment_error") or {}
    # Some Stripe-compatible servers (localstripe) leave out the amount fields; derive them from status.
    capturable = data.get("amount_capturable", amount if status == "requires_capture" else 0)
    received = data.get("amount_received", amount if status == "succeeded" else 0)
    return IntentState(
        id=data["id"],
        status=status,
        amount=amount,
        amount_capturable=int(capturable or 0),
        amount_received=int(received or 0),
        currency=data.get("currency") or "usd",
        client_secret=data.get("client_secret"),
        latest_charge=_id(data.get("latest_charge")),
        failure_message=error.get("message"),
        metadata=dict(data.get("metadata") or {}),
    )


def _translate(error: stripe.StripeError) -> PaymentError:
    server_side = isinstance(error, stripe.APIError) and (error.http_status or 500) >= 500
    if server_side or isinstance(error, (stripe.APIConnectionError, stripe.RateLimitError, stripe.AuthenticationError)):
        return PaymentServiceUnavailable("The payment service is unreachable.")
    if isinstance(error, stripe.CardError):
        return PaymentDeclined(error.user_message or "The card was declined.")
    return PaymentRejected(error.user_message or "The payment service refused the request.")


class StripeGateway:
    """The Stripe calls SecondLook makes, through the official SDK's StripeClient (a `PaymentGateway`)."""

    def __init__(
        self,
        api_key: str,
        *,
        api_base: str = "https://api.stripe.com",
        timeout_s: float = 10.0,
        max_network_retries: int = 2,
        http_client: stripe.HTTPClient | None = None,
    ) -> None:
        self._client = stripe.StripeClient(
            api_key,
            base_addresses={"api": api_base},
            max_network_retries=max_network_retries,
            http_client=http_client or stripe.RequestsClient(timeout=timeout_s),
        )

    @classmethod
    def from_config(cls, config) -> StripeGateway:
        """A gateway for the app's STRIPE_* settings."""
        return cls(
            config["STRIPE_SECRET_KEY"],
            api_base=config["STRIPE_API_BASE"],
            timeout_s=config["STRIPE_TIMEOUT_S"],
            max_network_retries=config["STRIPE_MAX_NETWORK_RETRIES"],
        )

    def _call(self, fn, *args, **kwargs) -> Any:
        try:
            return fn(*args, **kwargs)
        except stripe.StripeError as error:
            raise _translate(error) from error

    def create_intent(
        self, *, amount_cents: int, currency: str, booking_id: int, payment_method: str | None, idempotency_key: str
    ) -> IntentState:
        """A manual-capture PaymentIntent; confirmed (the card authorised) at once when a method is given."""
        params: dict[str, Any] = {
            "amount": amount_cents,
            "currency": currency,
            "capture_method": "manual",
            "payment_method_types": ["card"],
            "metadata": {"booking_id": str(booking_id)},
        }
        if payment_method:
            params.update(payment_method=payment_method, confirm=True)
        intents = self._client.v1.payment_intents
        return _intent(self._call(intents.create, params=params, options={"idempotency_key": idempotency_key}))

    def retrieve_intent(self, intent_id: str) -> IntentState:
        """The PaymentIntent as Stripe has it now."""
        return _intent(self._call(self._client.v1.payment_intents.retrieve, intent_id))

    def capture(self, intent_id: str, amount_cents: int, idempotency_key: str) -> IntentState:
        """Take `amount_cents` of the authorised amount; the rest is released."""
        return _intent(
            self._call(
                self._client.v1.payment_intents.capture,
                intent_id,
                params={"amount_to_capture": amount_cents},
                options={"idempotency_key": idempotency_key},
            )
        )

    def cancel(self, intent_id: str, idempotency_key: str) -> IntentState:
        """Release an authorisation (or abandon an unpaid intent); nothing is charged."""
        return _intent(
            self._call(self._client.v1.payment_intents.cancel, intent_id, options={"idempotency_key": idempotency_key})
        )

    def refund(self, intent_id: str, amount_cents: int, booking_id: int, idempotency_key: str) -> RefundState:
        """Give `amount_cents` of a captured payment back to the card."""
        refund = self._call(
            self._client.v1.refunds.create,
            params={"payment_intent": intent_id, "amount": amount_cents, "metadata": {"booking_id": str(booking_id)}},
            options={"idempotency_key": idempotency_key},
        )
        return RefundState(refund["id"], int(refund["amount"]), refund["status"])

    def list_refunds(self, intent_id: str) -> list[RefundState]:
        """Every refund of the intent's charge."""
        page = self._call(self._client.v1.refunds.list, params={"payment_intent": intent_id, "limit": 100})
        return [RefundState(r["id"], int(r["amount"]), r["status"]) for r in map(_plain, page.data)]

    def charge_intent(self, charge_id: str) -> str | None:
        """The PaymentIntent a charge belongs to."""
        return _id(_plain(self._call(self._client.v1.charges.retrieve, charge_id)).get("payment_intent"))

    def retrieve_dispute(self, dispute_id: str) -> DisputeState:
        """A dispute as Stripe has it now."""
        dispute = _plain(self._call(self._client.v1.disputes.retrieve, dispute_id))
        return DisputeState(
            dispute["id"], _id(dispute.get("payment_intent")), int(dispute["amount"]), dispute["status"]
        )
