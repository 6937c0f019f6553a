"""The mail outbox: `send` writes a row in the caller's transaction; after the commit it is delivered.

Delivery happens on a background thread of the process (MAIL_BACKGROUND, the default), so no
answer waits for an SMTP server and none takes longer because a message was sent (registration
and reset must take the same time whether or not an account exists). A row that could not be
sent stays pending; `secondlook deliver-mail` retries it. The body is blanked once sent: it may
hold a one-time link, and the database keeps only the digest of those.
"""

from __future__ import annotations

import logging
import os
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import make_msgid, parseaddr

from flask import Flask, current_app
from sqlalchemy.orm import Session

from api.db import db, utcnow
from api.mail.messages import Message
from api.mail.transport import Transport, make_transport
from api.models import MailOutbox
from api.outbox_lease import lease
from api.unit_of_work import UnitOfWork, unit_of_work

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 10
LEASE = timedelta(minutes=5)  # a sender that dies mid-batch frees its messages after this
BATCH = 100


def send(uow: UnitOfWork, to_address: str, message: Message) -> MailOutbox:
    """Queue `message` for `to_address` in this transaction; it goes out after the commit."""
    row = MailOutbox(to_address=to_address, subject=message.subject, body=message.body)
    uow.session.add(row)
    uow.session.flush()
    row_id = row.id
    uow.after_commit(lambda: dispatch([row_id]))
    return row


def transport() -> Transport:
    """The current app's transport, made on first use (tests may put their own in app.extensions)."""
    if current_app.extensions.get("mail_transport") is None:
        current_app.extensions["mail_transport"] = make_transport(current_app.config)
    return current_app.extensions["mail_transport"]


def compose(to_address: str, message: Message, sender: str) -> EmailMessage:
    """A message as RFC 5322 plain text."""
    email = EmailMessage()
    email["From"], email["To"], email["Subject"] = sender, to_address, message.subject
    email["Message-ID"] = make_msgid(domain=parseaddr(sender)[1].rpartition("@")[2] or None)
    email.set_content(message.body)
    return email


@dataclass(frozen=True)
class Outgoing:
    """A claimed message, read out of its row so that it is sent with no transaction open."""

    id: int
    to_address: str
    subject: str
    body: str


def claim(session: Session, now: datetime, *, ids: list[int] | None = None, limit: int = BATCH) -> list[Outgoing]:
    """Lease unsent messages (all, or those `ids`), oldest first, for LEASE; count the attempt."""
    leased = lease(
        session,
        MailOutbox,
        done=MailOutbox.sent_at,
        now=now,
        duration=LEASE,
        max_attempts=MAX_ATTEMPTS,
        columns=(MailOutbox.to_address, MailOutbox.subject, MailOutbox.body),
        ids=ids,
        limit=limit,
    )
    return [Outgoing(*row) for row in leased]


def record(session: Session, outcomes: dict[int, str | None], now: datetime) -> None:
    """Write what sending did: sent (the body, which may hold a one-time link, is blanked) or the error type."""
    for message_id, error in outcomes.items():
        row = session.get(MailOutbox, message_id)
        if row is None:
            continue
        row.claimed_until = None
        if error is None:
            row.sent_at, row.last_error, row.body = now, None, ""
        else:
            row.last_error = error


def send_all(messages: list[Outgoing], target: Transport, sender: str) -> dict[int, str | None]:
    """Send each message (no transaction open); the outcome by id: None when sent, else the error's type."""
    outcomes: dict[int, str | None] = {}
    for message in messages:
        try:
            target.send(compose(message.to_address, Message(message.subject, message.body), sender))
            outcomes[message.id] = None
        except Exception as error:  # kept for `deliver-mail`; the type only, the text may name the server
            outcomes[message.id] = type(error).__name__
            log.warning("mail %s not sent (%s)", message.id, outcomes[message.id])
    return outcomes


def deliver_pending(
    new_session: Callable[[], Session],
    target: Transport,
    sender: str,
    *,
    ids: list[int] | None = None,
    limit: int = BATCH,
) -> int:
    """Claim, send and record unsent messages: three steps, and no transaction (on SQLite, no write
    lock) is held while the mail server answers. Returns how many went."""
    with new_session() as session, unit_of_work(session) as uow:
        messages = claim(uow.session, utcnow(), ids=ids, limit=limit)
    if not messages:
        return 0
    outcomes = send_all(messages, target, sender)
    with new_session() as session, unit_of_work(session) as uow:
        record(uow.session, outcomes, utcnow())
    return sum(error is None for error in outcomes.values())


def deliver_now(ids: list[int] | None = None) -> int:
    """Send pending messages in sessions of their own (inside an app context)."""
    return deliver_pending(db.new_session, transport(), current_app.config["MAIL_FROM"], ids=ids)


def dispatch(ids: list[int]) -> None:
    """After a commit: send these messages on the background courier, or at once (MAIL_BACKGROUND=false)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]  # Flask types the proxy as Flask
    if app.config["MAIL_BACKGROUND"]:
        _courier(app).put(ids)
    else:
        deliver_now(ids)


class Courier:
    """One daemon thread per process that sends what commits hand it, in order."""

    def __init__(self, app: Flask) -> None:
        self.app, self.pid = app, os.getpid()
        self.jobs: queue.Queue[list[int]] = queue.Queue()
        self.thread = threading.Thread(target=self._run, name="mail-courier", daemon=True)
        self.thread.start()

    def put(self, ids: list[int]) -> None:
        """Hand over message ids to send."""
        self.jobs.put(ids)

    def flush(self) -> None:
        """Wait until everything handed over so far has been tried."""
        self.jobs.join()

    def _run(self) -> None:
        while True:
            ids = self.jobs.get()
            try:
                with self.app.app_context():
                    deliver_now(ids)
            except Exception:  # the rows stay pending for `deliver-mail`
                log.exception("mail courier failed")
            finally:
                self.jobs.task_done()


def _courier(app: Flask) -> Courier:
    # A forked worker (gunicorn) inherits the object but not the thread: start its own.
    courier = app.extensions.get("mail_courier")
    if courier is None or courier.pid != os.getpid() or not courier.thread.is_alive():
        courier = app.extensions["mail_courier"] = Courier(app)
    return courier


def flush(app: Flask) -> None:
    """Wait for the background courier to finish what it was handed (tests, shutdown)."""
    courier = app.extensions.get("mail_courier")
    if courier is not None and courier.pid == os.getpid():
        courier.flush()
