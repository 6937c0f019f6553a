"""An in-memory twin of StripeGateway (a `PaymentGateway`) for tests: same states, honours idempotency keys."""

from __future__ import annotations

import dataclasses
import itertools
from typing import Any

from billing.stripe_client import (
    DisputeState,
    IntentState,
    PaymentDeclined,
    PaymentRejected,
    PaymentServiceUnavailable,
    RefundState,
)

DECLINED_METHODS = frozenset({"pm_card_chargeCustomerFail", "pm_card_visa_chargeDeclined"})


class FakeStripeGateway:
    """Behaves like Stripe for the calls SecondLook makes; `unreachable = True` fails every call."""

    def __init__(self) -> None:
        self.unreachable = False
        self.intents: dict[str, IntentState] = {}
        self.refunds: dict[str, list[RefundState]] = {}
        self.disputes: dict[str, DisputeState] = {}
        self.calls: list[tuple[str, dict[str, Any]]] = []  # every request, for privacy assertions
        self._by_key: dict[str, Any] = {}
        self._ids = itertools.count(1)

    def _enter(self, name: str, key: str | None, **params: Any) -> Any:
        if self.unreachable:
            raise PaymentServiceUnavailable("The payment service is unreachable.")
        self.calls.append((name, params))
        return self._by_key.get(key) if key else None

    def _remember(self, key: str | None, result: Any) -> Any:
        if key:
            self._by_key[key] = result
        return result

    def create_intent(
        self, *, amount_cents: int, currency: str, booking_id: int, payment_method: str | None, idempotency_key: str
    ) -> IntentState:
        """Create (and with a method, authorise) a manual-capture PaymentIntent."""
        metadata = {"booking_id": str(booking_id)}
        if (
            seen := self._enter(
                "create_intent", idempotency_key, amount=amount_cents, metadata=metadata, payment_method=payment_method
            )
        ) is not None:
            return self.intents[seen.id]
        n = next(self._ids)
        intent = IntentState(
            f"pi_fake{n}",
            "requires_payment_method",
            amount_cents,
            currency=currency,
            client_secret=f"pi_fake{n}_secret",
            metadata=metadata,
        )
        if payment_method in DECLINED_METHODS:
            intent = dataclasses.replace(intent, failure_message="Your card was declined.")
            self.intents[intent.id] = intent
            raise PaymentDeclined("Your card was declined.")
        if payment_method:
            intent = dataclasses.replace(
                intent, status="requires_capture", amount_capturable=amount_cents, latest_charge=f"ch_fake{n}"
            )
        self.intents[intent.id] = intent
        return self._remember(idempotency_key, intent)

    def authorise_on_client(self, intent_id: str) -> IntentState:
        """What the patient's browser does with the client secret: the card is authorised."""
        intent = dataclasses.replace(
            self.intents[intent_id],
            status="requires_capture",
            amount_capturable=self.intents[intent_id].amount,
            latest_charge=intent_id.replace("pi_", "ch_"),
        )
        self.intents[intent_id] = intent
        return intent

    def retrieve_intent(self, intent_id: str) -> IntentState:
        """The intent as it is now."""
        self._enter("retrieve_intent", None, id=intent_id)
        if intent_id not in self.intents:
            raise PaymentRejected("No such payment_intent.")
        return self.intents[intent_id]

    def capture(self, intent_id: str, amount_cents: int, idempotency_key: str) -> IntentState:
        """Capture an authorised intent."""
        if self._enter("capture", idempotency_key, id=intent_id, amount=amount_cents) is not None:
            return self.intents[intent_id]
        intent = self.intents[intent_id]
        if intent.status != "requires_capture":
            raise PaymentRejected(f"This PaymentIntent could not be captured: status {intent.status}.")
        intent = dataclasses.replace(intent, status="succeeded", amount_capturable=0, amount_received=amount_cents)
        self.intents[intent_id] = intent
        return self._remember(idempotency_key, intent)

    def cancel(self, intent_id: str, idempotency_key: str) -> IntentState:
        """Cancel an intent that is not yet captured."""
        if self._enter("cancel", idempotency_key, id=intent_id) is not None:
            return self.intents[intent_id]
        intent = self.intents[intent_id]
        if intent.status in ("succeeded", "canceled"):
            raise PaymentRejected(f"This PaymentIntent could not be canceled: status {intent.status}.")
        intent = dataclasses.replace(intent, status="canceled", amount_capturable=0)
        self.intents[intent_id] = intent
        return self._remember(idempotency_key, intent)

    def refund(self, intent_id: str, amount_cents: int, booking_id: int, idempotency_key: str) -> RefundState:
        """Refund part or all of a captured intent."""
        if (
            seen := self._enter(
                "refund", idempotency_key, id=intent_id, amount=amount_cents, metadata={"booking_id": str(booking_id)}
            )
        ) is not None:
            return seen
        intent = self.intents[intent_id]
        done = sum(r.amount for r in self.refunds.get(intent_id, []))
        if intent.status != "succeeded" or done + amount_cents > intent.amount_received:
            raise PaymentRejected("Refund amount is greater than the unrefunded amount.")
        refund = RefundState(f"re_fake{next(self._ids)}", amount_cents, "succeeded")
        self.refunds.setdefault(intent_id, []).append(refund)
        return self._remember(idempotency_key, refund)

    def list_refunds(self, intent_id: str) -> list[RefundState]:
        """The intent's refunds."""
        self._enter("list_refunds", None, id=intent_id)
        return list(self.refunds.get(intent_id, []))

    def charge_intent(self, charge_id: str) -> str | None:
        """The intent a charge belongs to."""
        self._enter("charge_intent", None, id=charge_id)
        return next((i.id for i in self.intents.values() if i.latest_charge == charge_id), None)

    def open_dispute(self, intent_id: str, amount_cents: int) -> DisputeState:
        """Test helper: the patient's bank opens a chargeback."""
        dispute = DisputeState(f"dp_fake{next(self._ids)}", intent_id, amount_cents, "needs_response")
        self.disputes[dispute.id] = dispute
        return dispute

    def retrieve_dispute(self, dispute_id: str) -> DisputeState:
        """A dispute as it is now."""
        self._enter("retrieve_dispute", None, id=dispute_id)
        if dispute_id not in self.disputes:
            raise PaymentRejected("No such dispute.")
        return self.disputes[dispute_id]
