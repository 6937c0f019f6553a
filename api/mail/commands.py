"""The `secondlook deliver-mail` command: send what the mail outbox still holds (cron or after an outage)."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from api.mail.outbox import deliver_now


@click.command("deliver-mail")
@with_appcontext
def deliver_mail() -> None:
    """Send pending e-mail (messages an SMTP failure left behind), oldest first."""
    sent = deliver_now()
    click.echo(f"sent {sent} messages", err=True)
