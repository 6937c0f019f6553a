"""Reconciliation: does the ledger say what Stripe says about every payment? Optionally make it so."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.models import LedgerEntry, LedgerKind, Payment
from api.unit_of_work import unit_of_work
from billing import ledger, payments
from billing.payment_gateway import PaymentGateway
from billing.stripe_client import PaymentError, PaymentServiceUnavailable


@dataclass(frozen=True)
class Mismatch:
    """One figure on which the ledger and Stripe disagree, in cents."""

    payment_id: int
    intent_id: str
    figure: str  # held | net_collected
    ledger_cents: int
    stripe_cents: int


@dataclass
class ReconcileReport:
    """What a reconciliation run found (and fixed)."""

    checked: int = 0
    mismatches: list[Mismatch] = field(default_factory=list)
    fixed: int = 0
    unreachable: list[int] = field(default_factory=list)  # payments Stripe could not be asked about

    @property
    def clean(self) -> bool:
        """True when every checked payment agrees and none was left unchecked."""
        return not self.mismatches and not self.unreachable

    def describe(self) -> str:
        """A summary line."""
        return (
            f"checked {self.checked} payments: {len(self.mismatches)} mismatches, {self.fixed} fixed, "
            f"{len(self.unreachable)} not checked (Stripe unreachable)"
        )


def _figures(session: Session, payment: Payment) -> dict[str, int]:
    balances = ledger.balances(session, payment.id)
    return {"held": balances["held"], "net_collected": balances["collected"] + balances["disputed"]}


def _stripe_figures(intent, refunds) -> dict[str, int]:
    refunded = sum(r.amount for r in refunds if r.status in ("succeeded", "pending"))
    held = intent.amount_capturable if intent.status == "requires_capture" else 0
    return {"held": held, "net_collected": intent.amount_received - refunded}


def reconcile(
    session: Session, gateway: PaymentGateway, *, fix: bool = False, since: datetime | None = None
) -> ReconcileReport:
    """Compare each payment's ledger with its PaymentIntent and refunds at Stripe; with `fix`, sync it.

    Stripe is asked between units of work (no transaction is held while it answers); each fix is a
    unit of work of its own. Disputes are compared as the ledger has them (Stripe-compatible test
    servers keep none).
    """
    report = ReconcileReport()
    query = select(Payment).where(Payment.stripe_payment_intent_id.is_not(None)).order_by(Payment.id)
    if since is not None:
        query = query.where(Payment.created_at >= since)
    with unit_of_work(session) as uow:
        found = uow.session.scalars(query).all()
    for payment in found:
        try:
            intent = gateway.retrieve_intent(payments.intent_id(payment))
            refunds = gateway.list_refunds(intent.id) if intent.status == "succeeded" else []
        except PaymentServiceUnavailable:
            report.unreachable.append(payment.id)
            continue
        except PaymentError:
            report.mismatches.append(
                Mismatch(payment.id, payment.stripe_payment_intent_id or "", "missing_at_stripe", 0, 0)
            )
            continue
        report.checked += 1
        with unit_of_work(session) as uow:
            expected, ours = _stripe_figures(intent, refunds), _figures(uow.session, payment)
            wrong = [
                Mismatch(payment.id, intent.id, name, ours[name], expected[name])
                for name in expected
                if ours[name] != expected[name]
            ]
            report.mismatches.extend(wrong)
            if wrong and fix:
                payments.sync(uow.session, payment, intent, refunds)
                uow.session.flush()
                report.fixed += _figures(uow.session, payment) == expected
    return report


def entries_of(session: Session, payment_id: int) -> list[tuple[LedgerKind, int, str]]:
    """A payment's ledger movements, oldest first (for reports and tests)."""
    rows = session.execute(
        select(LedgerEntry.kind, LedgerEntry.amount_cents, LedgerEntry.stripe_ref)
        .where(LedgerEntry.payment_id == payment_id)
        .order_by(LedgerEntry.id)
    )
    return [(kind, amount, ref) for kind, amount, ref in rows]
