"""Notifications: one per referral status change, ids and statuses only, log or webhook sink, retried."""

import json
import logging
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from sqlalchemy import select

from api.cases.notifications import LogSink, WebhookSink
from api.models import NotificationOutbox, ReferralStatus, Role
from tests.cases.factories import bearer, make_account, make_case, make_referral
from tests.factories import make_specialist

PAYLOAD_KEYS = {"event_id", "topic", "entity", "entity_id", "status", "business_status", "occurred_at"}


@pytest.fixture
def referral(session):
    """A requested referral, with its specialist's and its referrer's logins."""
    referrer, patient = make_account(session, Role.REFERRING_PHYSICIAN), make_account(session, Role.PATIENT)
    specialist = make_specialist(session)
    session.flush()
    case = make_case(session, creator=referrer, patient=patient)
    row = make_referral(session, case, specialist, ReferralStatus.REQUESTED)
    world = dict(
        id=row.id,
        as_doctor=bearer(session, make_account(session, Role.SPECIALIST, specialist=specialist)),
        as_referrer=bearer(session, referrer),
    )
    session.commit()
    return world


def _move(client, referral, action, who="as_doctor"):
    response = client.post(
        f"/v1/referrals/{referral['id']}/transitions", json={"action": action}, headers=referral[who]
    )
    assert response.status_code in (200, 409), response.get_json()
    return response


def test_every_status_change_is_announced_with_ids_and_statuses_only(client, referral, sink):
    for action in ("receive", "accept", "schedule"):
        _move(client, referral, action)
    _move(client, referral, "receive")  # 409: rolled back, so nothing is announced
    assert [(n["entity_id"], n["status"]) for n in sink.sent] == [
        (referral["id"], "received"),
        (referral["id"], "accepted"),
        (referral["id"], "scheduled"),
    ]
    assert all(set(n) == PAYLOAD_KEYS and n["topic"] == "referral.status_changed" for n in sink.sent)


def test_the_log_sink_writes_the_referral_and_status_but_no_health_data(client, app, referral, caplog):
    app.extensions["notification_sink"] = LogSink()
    with caplog.at_level(logging.INFO, logger="api.cases.notifications"):
        _move(client, referral, "receive")
    assert f"referral={referral['id']} status=received" in caplog.text
    assert "Pat Example" not in caplog.text and "APL" not in caplog.text and "ATRA" not in caplog.text


class _Receiver(BaseHTTPRequestHandler):
    answer = 204
    received: list = []

    def do_POST(self):  # noqa: N802 (http.server's naming)
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).received.append((self.headers["Content-Type"], json.loads(body)))
        self.send_response(type(self).answer)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def webhook(app):
    """A local HTTP endpoint the webhook sink posts to."""
    _Receiver.received, _Receiver.answer = [], 204
    server = HTTPServer(("127.0.0.1", 0), _Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    app.config.update(NOTIFIER="webhook", NOTIFIER_WEBHOOK_URL=f"http://127.0.0.1:{server.server_port}/hook")
    app.extensions["notification_sink"] = None  # made from the configuration on first use
    yield _Receiver
    server.shutdown()
    server.server_close()


def test_the_webhook_sink_posts_json_and_a_failure_is_retried_later(client, session, app, referral, webhook):
    webhook.answer = 500
    _move(client, referral, "receive")
    pending = session.scalars(select(NotificationOutbox)).one()
    assert pending.delivered_at is None and pending.attempts == 1 and pending.last_error == "HTTPError"
    assert isinstance(app.extensions["notification_sink"], WebhookSink)

    webhook.answer = 204
    result = app.test_cli_runner().invoke(args=["deliver-notifications"])
    assert result.exit_code == 0 and "delivered 1" in result.output
    session.commit()  # a fresh snapshot: the command committed in a session of its own
    session.expire_all()
    assert session.scalars(select(NotificationOutbox)).one().delivered_at is not None
    content_type, payload = webhook.received[-1]
    assert content_type == "application/json" and set(payload) == PAYLOAD_KEYS
    assert (payload["entity_id"], payload["status"]) == (referral["id"], "received")


def test_a_user_request_sends_only_its_own_notifications_never_the_backlog(client, session, referral, sink):
    session.add(
        NotificationOutbox(
            topic="referral.status_changed",
            entity_id=referral["id"],
            status="requested",
            attempts=3,
            last_error="URLError",
        )
    )
    session.commit()
    _move(client, referral, "receive")
    assert [n["status"] for n in sink.sent] == ["received"]
    session.commit()
    session.expire_all()
    backlog = session.scalars(select(NotificationOutbox).where(NotificationOutbox.status == "requested")).one()
    assert backlog.delivered_at is None and backlog.attempts == 3


def test_a_webhook_is_called_with_no_transaction_open_and_two_senders_never_lease_one_row(app, session, referral):
    """The sink runs between two transactions: writing the row's own table while "sending" would wait
    for the sender's lock (SQLite's database lock, PostgreSQL's row lock) if it held one."""
    from api.cases.notifications import LEASE, claim, deliver_pending
    from api.db import utcnow

    row = NotificationOutbox(topic="referral.status_changed", entity_id=referral["id"], status="received")
    session.add(row)
    session.commit()
    new_session = app.extensions["db"][1]

    class Probe:
        sent: list = []

        def send(self, payload):
            with new_session() as probe:
                probe.execute(
                    NotificationOutbox.__table__.update()
                    .where(NotificationOutbox.id == payload["event_id"])
                    .values(business_status="probe")
                )
                probe.commit()
            self.sent.append(payload)

    now = utcnow()
    with new_session() as other:
        assert [p["event_id"] for p in claim(other, now)] == [row.id]
        assert claim(other, now) == []  # leased: a second sender gets nothing until the lease ends
        other.commit()
    assert deliver_pending(new_session, Probe()) == 0  # still leased by the first sender
    with new_session() as other:
        other.execute(NotificationOutbox.__table__.update().values(claimed_until=now - LEASE))  # that sender died
        other.commit()
    assert deliver_pending(new_session, Probe()) == 1
    session.expire_all()
    stored = session.get(NotificationOutbox, row.id)
    assert stored.delivered_at is not None and stored.claimed_until is None and stored.attempts == 2
    assert stored.business_status == "probe" and Probe.sent[0]["status"] == "received"
