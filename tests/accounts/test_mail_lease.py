"""Sending mail holds no transaction: a message is leased in one, sent outside any, recorded in another;
two senders never send the same message, and a sender that died frees its messages when the lease ends."""
from __future__ import annotations

from datetime import timedelta

from api.db import utcnow
from api.mail.outbox import LEASE, claim, deliver_pending, record
from api.models import MailOutbox


def _queued(session, count=2):
    rows = [MailOutbox(to_address=f"p{n}@example.test", subject="Hello", body=f"link {n}") for n in range(count)]
    session.add_all(rows)
    session.commit()
    return [row.id for row in rows]


def test_two_senders_never_lease_the_same_message(session):
    ids = _queued(session)
    now = utcnow()
    first = claim(session, now)
    second = claim(session, now)
    session.commit()
    assert [m.id for m in first] == ids and second == []
    assert claim(session, now + LEASE + timedelta(seconds=1)) != []  # a dead sender's lease runs out


def test_sending_happens_between_two_transactions(app, session):
    ids = _queued(session, count=1)

    class Probe:
        """A transport that writes the message's own row while "sending": it would wait for the lock
        (SQLite's database lock, PostgreSQL's row lock) until the test timed out if the sender held one."""

        def send(self, _message):
            with app.extensions["db"][1]() as probe:
                probe.execute(MailOutbox.__table__.update().where(MailOutbox.id == ids[0]).values(subject="Hi"))
                probe.commit()

    assert deliver_pending(app.extensions["db"][1], Probe(), "no-reply@secondlook.test") == 1
    row = session.get(MailOutbox, ids[0])
    session.refresh(row)
    assert row.sent_at is not None and row.body == "" and row.claimed_until is None and row.attempts == 1


def test_a_refused_message_keeps_its_error_and_is_free_again(session):
    [message_id] = _queued(session, count=1)
    [message] = claim(session, utcnow())
    record(session, {message.id: "ConnectionRefusedError"}, utcnow())
    session.commit()
    row = session.get(MailOutbox, message_id)
    assert (row.sent_at, row.last_error, row.claimed_until) == (None, "ConnectionRefusedError", None)
    assert [m.id for m in claim(session, utcnow())] == [message_id]
