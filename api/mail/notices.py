"""Case-step notifications by e-mail: to a given user (`notify_user`), or to everyone concerned by
a notification of the case outbox (`EmailSink`, NOTIFIER=email).

Like every message, they say only that something happened and link to the API, where the reader
sees the rest under the API's authorization: never a diagnosis, a note or a name.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeGuard

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.db import db
from api.mail import messages
from api.mail.outbox import compose, send, transport
from api.models import Case, CaseConference, CaseCopy, Referral, ReferralStatus, User
from api.unit_of_work import UnitOfWork

# What a referral's new status means to the people told of it.
STEP_OF_STATUS = {
    ReferralStatus.REQUESTED.value: "referral.received",
    ReferralStatus.ACCEPTED.value: "referral.accepted",
    ReferralStatus.REJECTED.value: "referral.declined",
    ReferralStatus.SCHEDULED.value: "booking.confirmed",
    ReferralStatus.COMPLETED.value: "opinion.delivered",
}


def case_link(base_url: str, case_id: int | None) -> str:
    """Where the reader signs in to see the step: the case, or their account."""
    return base_url.rstrip("/") + (f"/v1/cases/{case_id}" if case_id else "/v1/auth/me")


def reachable(user: User | None) -> TypeGuard[User]:
    """An account that may receive case mail: active, unlocked, with a confirmed address."""
    return user is not None and user.is_active and user.locked_at is None and user.email_verified_at is not None


def notify_user(uow: UnitOfWork, user_id: int, step: str, case_id: int | None = None) -> bool:
    """E-mail one user that a case step happened (sent after the commit); False when they cannot be reached.

    `step` is a key of `messages.CASE_STEPS` ("referral.received", "path.chosen", ...); the link
    points at the case. Call it inside the request's unit of work (it reads PUBLIC_BASE_URL).
    """
    user = uow.session.get(User, user_id)
    if not reachable(user):
        return False
    send(uow, user.email, messages.case_step(step, case_link(current_app.config["PUBLIC_BASE_URL"], case_id)))
    return True


@dataclass(frozen=True)
class Recipient:
    """Who is told, of which step, about which case."""

    email: str
    step: str
    case_id: int | None


def recipients(session: Session, payload: dict) -> list[Recipient]:
    """Everyone concerned by a case-outbox notification, each with the step as they should read it."""
    if payload["entity"] == "referral":
        referral = session.get(Referral, payload["entity_id"])
        if referral is None:
            return []
        step = STEP_OF_STATUS.get(payload["status"], "referral.status_changed")
        parties = _case_parties(session, referral.case_id) | _specialist_accounts(session, [referral.specialist_id])
        return [Recipient(u.email, step, referral.case_id) for u in parties]
    if payload["entity"] == "conference":
        conference = session.get(CaseConference, payload["entity_id"])
        if conference is None:
            return []
        specialists = [conference.first_specialist_id, conference.second_specialist_id]
        parties = _case_parties(session, conference.case_id) | _specialist_accounts(session, specialists)
        return [Recipient(u.email, "conference.requested", conference.case_id) for u in parties]
    if payload["entity"] == "case":
        step = payload["topic"] if payload["topic"] in messages.CASE_STEPS else "case.updated"
        return [Recipient(u.email, step, payload["entity_id"]) for u in _case_parties(session, payload["entity_id"])]
    return []


def _case_parties(session: Session, case_id: int) -> set[User]:
    case = session.get(Case, case_id)
    if case is None:
        return set()
    ids = {
        case.patient_user_id,
        case.created_by_user_id,
        *session.scalars(select(CaseCopy.user_id).where(CaseCopy.case_id == case_id)),
    }
    return {u for u in session.scalars(select(User).where(User.id.in_(ids))) if reachable(u)}


def _specialist_accounts(session: Session, specialist_ids: list[int | None]) -> set[User]:
    wanted = [i for i in specialist_ids if i is not None]
    return {u for u in session.scalars(select(User).where(User.specialist_id.in_(wanted))) if reachable(u)}


class EmailSink:
    """A notification sink (api/cases/notifications.py) that e-mails everyone concerned.

    It sends at once rather than through the mail outbox: it runs while the case outbox row is
    being delivered, and that row stays pending (retried by `deliver-notifications`) if a send fails.
    """

    def __init__(self, base_url: str, sender: str) -> None:
        self.base_url, self.sender = base_url, sender

    def send(self, payload: dict) -> None:
        """E-mail the notification to each person concerned (inside an app context)."""
        with db.read_sessionmaker()() as session:
            found = recipients(session, payload)
        for recipient in found:
            message = messages.case_step(recipient.step, case_link(self.base_url, recipient.case_id))
            transport().send(compose(recipient.email, message, self.sender))
