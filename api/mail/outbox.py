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
from email.message import EmailMessage
from email.utils import make_msgid, parseaddr

from flask import Flask, current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.db import db, utcnow
from api.mail.messages import Message
from api.mail.transport import Transport, make_transport
from api.models import MailOutbox
from api.unit_of_work import UnitOfWork, unit_of_work

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 10
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


def deliver_pending(
    session: Session, target: Transport, sender: str, *, ids: list[int] | None = None, limit: int = BATCH
) -> int:
    """Send unsent messages (all, or those `ids`), oldest first; returns how many went (the caller commits)."""
    query = select(MailOutbox).where(MailOutbox.sent_at.is_(None), MailOutbox.attempts < MAX_ATTEMPTS)
    if ids is not None:
        query = query.where(MailOutbox.id.in_(ids))
    rows = session.scalars(query.order_by(MailOutbox.id).limit(limit).with_for_update(skip_locked=True)).all()
    sent = 0
    for row in rows:
        row.attempts += 1
        try:
            target.send(compose(row.to_address, Message(row.subject, row.body), sender))
        except Exception as error:  # kept for `deliver-mail`; the type only, the text may name the server
            row.last_error = type(error).__name__
            log.warning("mail %s not sent (%s)", row.id, row.last_error)
            continue
        row.sent_at, row.last_error, row.body = utcnow(), None, ""
        sent += 1
    return sent


def deliver_now(ids: list[int] | None = None) -> int:
    """Send pending messages in a session of their own (inside an app context)."""
    with db.new_session() as session, unit_of_work(session) as uow:
        sent = deliver_pending(uow.session, transport(), current_app.config["MAIL_FROM"], ids=ids)
    return sent


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
