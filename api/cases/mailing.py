"""The case features' outgoing e-mail: one small seam over the app's mailer.

Every message here says only that something happened and where to sign in: never a name of a
condition, a diagnosis or a note (they stay behind the API's authorization). A message is sent
after the transaction that caused it has committed, so a refused request mails nobody.
"""
from __future__ import annotations

import logging
from typing import Protocol

from flask import current_app

from api.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)


class Mailer(Protocol):
    """Whatever sends an e-mail: the SMTP mailer in production, a recorder in tests."""

    def send(self, to: str, subject: str, body: str) -> None:
        """Send one plain-text message or raise."""
        ...


class LogMailer:
    """Writes the subject and the recipient's domain to the log (links stay out of logs)."""

    def send(self, to: str, subject: str, body: str) -> None:
        """Log that a message would be sent."""
        log.info("mail %r to a recipient at %s", subject, to.rpartition("@")[2])


def mailer() -> Mailer:
    """The app's mailer (tests and the accounts feature may put their own in app.extensions)."""
    found = current_app.extensions.get("case_mailer")
    return found if found is not None else LogMailer()


def public_link(path: str) -> str:
    """An absolute link into the web app, for a message."""
    return current_app.config.get("PUBLIC_BASE_URL", "http://localhost:8000").rstrip("/") + path


def mail_after_commit(uow: UnitOfWork, to: str, subject: str, body: str) -> None:
    """Send a message once `uow` has committed (never if it rolls back)."""
    target = mailer()
    uow.after_commit(lambda: target.send(to, subject, body))
