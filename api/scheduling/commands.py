"""Commands of scheduling and payments: make slots, let holds run out, reconcile with Stripe, seed rules."""

from __future__ import annotations

import sys
from datetime import timedelta

import click
from flask.cli import with_appcontext

import billing
from api.db import db, utcnow
from api.scheduling.availability import generate_slots as generate
from api.scheduling.flows import expire_holds as sweep
from api.unit_of_work import unit_of_work
from billing.reconcile import reconcile
from seed_data.coverage_rules import ensure_coverage_rules


@click.command("generate-slots")
@click.option("--days", type=click.IntRange(1, 120), default=28, show_default=True)
@with_appcontext
def generate_slots(days: int) -> None:
    """Give every accepting practice location its clinic slots for the next N days (idempotent)."""
    with db.new_session() as session, unit_of_work(session):
        added = generate(session, first_day=(utcnow() + timedelta(days=1)).date(), days=days)
    click.echo(f"{added} slots added for the next {days} days", err=True)


@click.command("expire-holds")
@with_appcontext
def expire_holds() -> None:
    """Expire lapsed holds, release their card authorisations, pay pending refunds, forget old keys."""
    with db.new_session() as session:
        expired, done = sweep(session, billing.gateway(), utcnow())
    click.echo(f"{expired} holds expired; {done} releases or refunds done at Stripe", err=True)


@click.command("reconcile-payments")
@click.option("--fix", is_flag=True, help="Bring the ledger to what Stripe says (it only ever adds movements).")
@click.option("--days", type=click.IntRange(1, 3650), default=None, help="Only payments of the last N days.")
@with_appcontext
def reconcile_payments(fix: bool, days: int | None) -> None:
    """Compare the ledger with Stripe, payment by payment; exit 1 if they disagree."""
    since = utcnow() - timedelta(days=days) if days else None
    with db.new_session() as session:
        report = reconcile(session, billing.gateway(), fix=fix, since=since)
    for m in report.mismatches:
        click.echo(
            f"payment {m.payment_id} ({m.intent_id}): {m.figure} ledger={m.ledger_cents} stripe={m.stripe_cents}"
        )
    click.echo(report.describe(), err=True)
    if report.unreachable or (report.mismatches and report.fixed < len({m.payment_id for m in report.mismatches})):
        sys.exit(1)


@click.command("coverage-rules")
@with_appcontext
def coverage_rules() -> None:
    """Give every plan without coverage rules its seeded rules (deterministic from the plan type)."""
    with db.new_session() as session, unit_of_work(session):
        count = ensure_coverage_rules(session)
    click.echo(f"coverage rules added for {count} plans", err=True)


COMMANDS = (generate_slots, expire_holds, reconcile_payments, coverage_rules)
