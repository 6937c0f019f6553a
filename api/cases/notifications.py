"""Notifications of referral status changes: an outbox written with the change, drained into a sink.

A notification carries ids and statuses only, never health data: whoever receives it reads the
rest through the API, under the API's authorization. The sink is the log by default and an HTTP
webhook by configuration (NOTIFIER=webhook, NOTIFIER_WEBHOOK_URL), and e-mail to everyone concerned
(NOTIFIER=email, api/mail/notices.py); several at once as a comma-separated list ("log,email").
"""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, Protocol

from flask import current_app
from sqlalchemy.orm import Session

from api.db import db, utcnow
from api.mail.notices import EmailSink
from api.models import NotificationOutbox
from api.outbox_lease import lease
from api.unit_of_work import UnitOfWork, unit_of_work

log = logging.getLogger(__name__)
REFERRAL_STATUS_CHANGED = "referral.status_changed"
CONFERENCE_REQUESTED = "conference.requested"
MAX_ATTEMPTS = 10  # after that a row stays in the outbox, undelivered, for someone to look at
BATCH = 50
LEASE = timedelta(minutes=5)  # a sender that dies mid-batch frees its notifications after this


class Sink(Protocol):
    """Where notifications go."""

    def send(self, payload: dict) -> None:
        """Deliver one notification or raise."""
        ...


class LogSink:
    """Writes each notification to the application log: the id and status, nothing else."""

    def send(self, payload: dict) -> None:
        """Log the notification."""
        log.info(
            "notification %s %s=%s status=%s",
            payload["topic"],
            payload["entity"],
            payload["entity_id"],
            payload["status"],
        )


class WebhookSink:
    """POSTs each notification as JSON to a URL; anything but a 2xx answer is a failure to retry."""

    def __init__(self, url: str, timeout_s: float) -> None:
        self.url, self.timeout_s = url, timeout_s

    def send(self, payload: dict) -> None:
        """POST the notification."""
        request = urllib.request.Request(
            self.url,
            data=json.dumps(payload).encode(),
            method="POST",
            headers={"Content-Type": "application/json", "User-Agent": "secondlook-notifier/1"},
        )
        with urllib.request.urlopen(request, timeout=self.timeout_s) as response:  # noqa: S310 (configured URL)
            if not 200 <= response.status < 300:
                raise urllib.error.HTTPError(self.url, response.status, "not 2xx", response.headers, None)


class FanOut:
    """Several sinks: each gets every notification; a failure of any leaves it to retry."""

    def __init__(self, sinks: list[Sink]) -> None:
        self.sinks = sinks

    def send(self, payload: dict) -> None:
        """Send to every sink."""
        for each in self.sinks:
            each.send(payload)


def make_sink(config) -> Sink:
    """The sink(s) the configuration names: NOTIFIER is a comma-separated list of log, email, webhook."""
    sinks = [_named_sink(name.strip(), config) for name in config["NOTIFIER"].split(",") if name.strip()]
    return sinks[0] if len(sinks) == 1 else FanOut(sinks)


def _named_sink(name: str, config) -> Sink:
    if name == "log":
        return LogSink()
    if name == "email":  # everyone concerned, through the mailer (api/mail)
        return EmailSink(config["PUBLIC_BASE_URL"], config["MAIL_FROM"])
    if name == "webhook" and config["NOTIFIER_WEBHOOK_URL"]:
        return WebhookSink(config["NOTIFIER_WEBHOOK_URL"], config["NOTIFIER_TIMEOUT_S"])
    raise ValueError("NOTIFIER must list 'log', 'email', or 'webhook' (with NOTIFIER_WEBHOOK_URL set)")


def sink() -> Sink:
    """The current app's sink, made on first use (tests may put their own in app.extensions)."""
    if current_app.extensions.get("notification_sink") is None:
        current_app.extensions["notification_sink"] = make_sink(current_app.config)
    return current_app.extensions["notification_sink"]


def enqueue(
    session: Session, topic: str, entity_id: int, status: str, business_status: str | None = None
) -> NotificationOutbox:
    """Add a notification to the outbox in the caller's transaction."""
    row = NotificationOutbox(topic=topic, entity_id=entity_id, status=status, business_status=business_status)
    session.add(row)
    return row


def notify(uow: UnitOfWork, topic: str, entity_id: int, status: str, business_status: str | None = None) -> None:
    """Put a notification in the outbox of this unit of work; it is sent right after the commit.

    Only this transaction's row is sent then: a backlog (a webhook that was down) is the
    deliver-notifications command's job, never a user request's.
    """
    row = enqueue(uow.session, topic, entity_id, status, business_status)
    uow.after_commit(lambda: dispatch([row.id]))


def payload_of(row: Any) -> dict:
    """The notification as it is sent (from an outbox row or its leased columns): ids, statuses and the
    time, nothing about the patient."""
    return {
        "event_id": row.id,
        "topic": row.topic,
        "entity": row.topic.split(".")[0],
        "entity_id": row.entity_id,
        "status": row.status,
        "business_status": row.business_status,
        "occurred_at": row.created_at.isoformat(),
    }


def claim(session: Session, now: datetime, *, ids: list[int] | None = None, limit: int = BATCH) -> list[dict]:
    """Lease undelivered notifications (all, or those `ids`), oldest first, for LEASE; their payloads."""
    row = NotificationOutbox
    leased = lease(
        session,
        row,
        done=row.delivered_at,
        now=now,
        duration=LEASE,
        max_attempts=MAX_ATTEMPTS,
        columns=(row.topic, row.entity_id, row.status, row.business_status, row.created_at),
        ids=ids,
        limit=limit,
    )
    return [payload_of(each) for each in leased]


def send_all(payloads: list[dict], target: Sink) -> dict[int, str | None]:
    """Send each notification in order (no transaction open); the outcome by id: None, else the error's type."""
    outcomes: dict[int, str | None] = {}
    for payload in payloads:
        try:
            target.send(payload)
            outcomes[payload["event_id"]] = None
        except Exception as error:  # kept for the next drain; the type only, messages may carry URLs
            outcomes[payload["event_id"]] = type(error).__name__
            log.warning("notification %s not delivered (%s)", payload["event_id"], outcomes[payload["event_id"]])
    return outcomes


def record(session: Session, outcomes: dict[int, str | None], now: datetime) -> None:
    """Write what sending did (delivered, or the error's type) and end the leases."""
    for notification_id, error in outcomes.items():
        row = session.get(NotificationOutbox, notification_id)
        if row is None:
            continue
        row.claimed_until = None
        if error is None:
            row.delivered_at, row.last_error = now, None
        else:
            row.last_error = error


def deliver_pending(
    new_session: Callable[[], Session], target: Sink, *, ids: list[int] | None = None, limit: int = BATCH
) -> int:
    """Claim, send and record undelivered notifications (all, or those `ids`): no transaction is open
    while the sink (a webhook, a mail server) answers. Returns how many went.

    Delivery is at least once (a lease that runs out mid-send lets another sender retry): a
    consumer dedupes on `event_id`.
    """
    with new_session() as session, unit_of_work(session) as uow:
        payloads = claim(uow.session, utcnow(), ids=ids, limit=limit)
    if not payloads:
        return 0
    outcomes = send_all(payloads, target)
    with new_session() as session, unit_of_work(session) as uow:
        record(uow.session, outcomes, utcnow())
    return sum(error is None for error in outcomes.values())


def dispatch(ids: list[int]) -> None:
    """After a commit: send the notifications it wrote."""
    deliver_pending(db.new_session, sink(), ids=ids)
