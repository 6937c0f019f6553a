"""The `secondlook deliver-notifications` command: drain the notification outbox (cron or a worker loop)."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from api.cases.notifications import deliver_pending, sink
from api.db import db


@click.command("deliver-notifications")
@click.option("--limit", type=click.IntRange(1, 100_000), default=1000, show_default=True)
@with_appcontext
def deliver_notifications(limit: int) -> None:
    """Send pending referral notifications to the configured sink, retrying earlier failures once."""
    delivered = deliver_pending(db.new_session, sink(), limit=limit)
    click.echo(f"delivered {delivered} notifications", err=True)
