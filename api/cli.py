"""The `secondlook` commands: migrations, seeding, imports and index maintenance (the script is `api.app:main`)."""

from __future__ import annotations

import sys
from datetime import timedelta

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

import search
from api.cases.commands import deliver_notifications
from api.db import db, utcnow
from api.mail.commands import deliver_mail
from api.migrate import upgrade
from api.scheduling.commands import COMMANDS as scheduling_commands
from api.unit_of_work import unit_of_work
from search import CLUSTER_BACKENDS
from search.sync import follow as follow_outbox
from search.sync import prune
from search.sync import reindex as rebuild
from seed_data.demo_accounts import DEMO_ACCOUNTS, ensure_demo_accounts
from seed_data.nppes import import_file
from seed_data.synthetic import seed_directory


@click.command("db-upgrade")
@with_appcontext
def db_upgrade() -> None:
    """Apply every Alembic migration to the configured database."""
    upgrade(db.engine)
    click.echo("database is at the latest migration", err=True)


@click.command("seed")
@click.option("--specialists", "count", type=click.IntRange(1, 2_000_000), default=5000, show_default=True)
@click.option(
    "--seed", "rng_seed", type=int, default=42, show_default=True, help="Random seed: same seed, same directory."
)
@click.option("--batch-size", type=click.IntRange(100, 100_000), default=5000, show_default=True)
@with_appcontext
def seed(count: int, rng_seed: int, batch_size: int) -> None:
    """Fill the directory with N synthetic specialists (resumable; re-running adds only what is missing)."""
    summary = seed_directory(db.engine, count, seed=rng_seed, batch_size=batch_size, out=sys.stderr)
    click.echo(summary.describe(), err=True)
    with db.new_session() as session, unit_of_work(session):
        ensure_demo_accounts(session)


@click.command("demo-accounts")
@with_appcontext
def demo_accounts() -> None:
    """Create (if missing) and print the demo logins, one per role."""
    with db.new_session() as session, unit_of_work(session):
        ensure_demo_accounts(session)
    click.echo("Demo accounts (synthetic, for trying the API):")
    for account in DEMO_ACCOUNTS:
        click.echo(f"  {account.role.value:<20} {account.email:<40} {account.password}")


@click.command("import-nppes")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--batch-size", type=click.IntRange(10, 100_000), default=2000, show_default=True)
@with_appcontext
def import_nppes(path: str, batch_size: int) -> None:
    """Stream a CMS NPPES dissemination CSV into the directory (idempotent on NPI)."""
    report = import_file(db.engine, path, batch_size=batch_size, out=sys.stderr)
    click.echo(report.describe())
    if report.bad_rows:
        click.echo(f"{len(report.bad_rows)} bad rows (first 20):", err=True)
        for line_no, reason in report.bad_rows[:20]:
            click.echo(f"  line {line_no}: {reason}", err=True)


@click.command("reindex")
@click.option("--follow", is_flag=True, help="Then keep applying the outbox until Ctrl-C (the Elasticsearch worker).")
@click.option(
    "--interval",
    type=click.FloatRange(0.05, 60),
    default=1.0,
    show_default=True,
    help="Seconds between outbox polls with --follow.",
)
@with_appcontext
def reindex(follow: bool, interval: float) -> None:
    """Rebuild the search index from the database; with --follow, keep it in step with the outbox."""
    backend, say = search.backend(), (lambda message: click.echo(message, err=True))
    count = rebuild(backend, db.new_session, say)
    click.echo(f"{backend.name}: reindexed {count:,} documents", err=True)
    if follow:
        say(f"following the outbox every {interval:g} s; Ctrl-C to stop")
        applied = follow_outbox(backend, db.new_session, interval, progress=say)
        click.echo(f"{backend.name}: stopped after applying {applied:,} outbox rows", err=True)


@click.command("prune-outbox")
@click.option("--older-than-hours", type=click.IntRange(1, 24 * 365), default=24, show_default=True)
@with_appcontext
def prune_outbox(older_than_hours: int) -> None:
    """Delete old search-outbox rows (run daily; Elasticsearch's undelivered rows are always kept)."""
    keep_pending = current_app.config["SEARCH_BACKEND"] in CLUSTER_BACKENDS
    with db.new_session() as session, unit_of_work(session):
        deleted = prune(session, utcnow() - timedelta(hours=older_than_hours), keep_pending)
    click.echo(f"deleted {deleted:,} outbox rows older than {older_than_hours} h", err=True)


def register_commands(app: Flask) -> None:
    """Attach every command to the app's CLI."""
    for command in (
        db_upgrade,
        seed,
        demo_accounts,
        import_nppes,
        reindex,
        prune_outbox,
        deliver_notifications,
        deliver_mail,
        *scheduling_commands,
    ):
        app.cli.add_command(command)
