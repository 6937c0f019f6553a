"""The ledger: every movement of money, written once per Stripe object however often it is seen."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from api.models import LedgerAccount, LedgerEntry, LedgerKind

A = LedgerAccount
# Each kind of movement has fixed accounts: money arrives at the first, leaves the second.
ACCOUNTS: dict[LedgerKind, tuple[LedgerAccount, LedgerAccount]] = {
    LedgerKind.AUTHORISED: (A.HELD, A.PATIENT),
    LedgerKind.RELEASED: (A.PATIENT, A.HELD),
    LedgerKind.CAPTURED: (A.COLLECTED, A.HELD),
    LedgerKind.REFUNDED: (A.PATIENT, A.COLLECTED),
    LedgerKind.DISPUTED: (A.DISPUTED, A.COLLECTED),
}


def record(session: Session, payment_id: int, kind: LedgerKind, amount_cents: int, stripe_ref: str) -> bool:
    """Write a movement unless (kind, stripe_ref) is already in the ledger; True when written.

    An insert that ignores the conflict, so two deliveries racing on one event cannot both write.
    """
    if amount_cents <= 0:
        return False
    debit, credit = ACCOUNTS[kind]
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    statement = (
        dialect.insert(LedgerEntry)
        .values(
            payment_id=payment_id,
            kind=kind,
            debit=debit,
            credit=credit,
            amount_cents=amount_cents,
            stripe_ref=stripe_ref,
        )
        .on_conflict_do_nothing(index_elements=["kind", "stripe_ref"])
    )
    # RETURNING, not rowcount: psycopg reports -1 for an INSERT ... ON CONFLICT through SQLAlchemy.
    return session.scalar(statement.returning(LedgerEntry.id)) is not None


def has(session: Session, kind: LedgerKind, stripe_ref: str) -> bool:
    """Whether this movement is in the ledger."""
    return (
        session.scalar(select(LedgerEntry.id).where(LedgerEntry.kind == kind, LedgerEntry.stripe_ref == stripe_ref))
        is not None
    )


def balances(session: Session, payment_id: int | None = None) -> dict[str, int]:
    """Net cents per account (debits minus credits); they always sum to zero."""
    totals: dict[str, int] = defaultdict(int)
    for side, sign in ((LedgerEntry.debit, 1), (LedgerEntry.credit, -1)):
        query = select(side, func.sum(LedgerEntry.amount_cents)).group_by(side)
        if payment_id is not None:
            query = query.where(LedgerEntry.payment_id == payment_id)
        for account, cents in session.execute(query):
            totals[account.value] += sign * int(cents)
    return {account.value: totals.get(account.value, 0) for account in LedgerAccount}
