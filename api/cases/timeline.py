"""One timeline of a case for its patient and referring physicians, from the domain rows and the audit trail.

Steps, in the order they usually happen: created, patient_accepted, matched, referred, referral_accepted,
records_released, booked, paid, opinion_delivered, compared, tie_breaker_referred,
tie_breaker_delivered, chosen_path. Each entry says when and who (the acting account's role and
display name, or the specialist's directory name); none carries a diagnosis, a note or a record.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from api import case_permissions as permissions
from api.audit.services import record as audit
from api.auth.services import Identity
from api.cases.opinions import AGREE, classify
from api.db import as_utc
from api.models import (
    AuditEvent,
    Booking,
    Case,
    Opinion,
    Payment,
    PaymentStatus,
    RecordsAuthorization,
    Referral,
    Specialist,
    User,
)

PAID = frozenset({PaymentStatus.CAPTURED, PaymentStatus.REFUNDED})


@dataclass(frozen=True)
class Entry:
    """One step of the case: what, when, who, and the referral or specialist it concerns."""

    step: str
    at: datetime
    actor_role: str | None
    actor_name: str | None
    referral_id: int | None = None
    specialist_id: int | None = None
    specialist_name: str | None = None
    detail: dict = field(default_factory=dict)


def specialist_name(specialist: Specialist | None) -> str | None:
    """A specialist as the directory names them."""
    if specialist is None:
        return None
    name = f"Dr. {specialist.first_name} {specialist.last_name}"
    return f"{name}, {specialist.credentials}" if specialist.credentials else name


def tie_breaker_referral_ids(referrals: list[Referral], opinions: list[Opinion]) -> set[int]:
    """Referrals sent once two or more opinions had been delivered and disagreed with the first physician."""
    found = set()
    for referral in referrals:
        sent = next((as_utc(e.at) for e in referral.events if e.action == "send"), None)
        before = [o for o in opinions if o.referral_id != referral.id and sent and as_utc(o.delivered_at) <= sent]
        if len(before) >= 2 and any(classify(o) != AGREE for o in before):
            found.add(referral.id)
    return found


def read_timeline(session: Session, identity: Identity, case_id: int, reason: str | None) -> tuple[Case, list[Entry]]:
    """The case's steps, oldest first; reading it is an audited read of the case."""
    case, _ = permissions.authorize(session, identity, case_id, "timeline.read", reason)
    entries = build(session, case)
    audit(session, identity, "timeline.read", case_id=case.id, entity_type="case", entity_id=case.id, reason=reason)
    return case, entries


def build(session: Session, case: Case) -> list[Entry]:
    """Every step of the case, oldest first (ties in the usual order of the steps)."""
    opinions = list(session.scalars(select(Opinion).where(Opinion.case_id == case.id).order_by(Opinion.id)))
    referrals = list(case.referrals)
    # Keyed as looked up: a referral's or opinion's specialist may be gone (None).
    specialists: dict[int | None, Specialist] = {
        s.id: s
        for s in session.scalars(
            select(Specialist).where(
                Specialist.id.in_({r.specialist_id for r in referrals if r.specialist_id is not None})
            )
        )
    }
    people, tie_breakers = _People(session), tie_breaker_referral_ids(referrals, opinions)
    entries = [Entry("created", as_utc(case.created_at), *people.of(case.created_by_user_id))]
    if case.invitation is not None and case.invitation.accepted_at is not None:
        entries.append(Entry("patient_accepted", as_utc(case.invitation.accepted_at), *people.of(case.patient_user_id)))
    entries += _first_audited(session, people, case, "case.match", "matched")
    entries += _referral_steps(people, referrals, specialists, tie_breakers)
    entries += _releases(session, people, case, specialists)
    entries += _bookings(session, people, case)
    for opinion in opinions:
        step = "tie_breaker_delivered" if opinion.referral_id in tie_breakers else "opinion_delivered"
        entries.append(
            Entry(
                step,
                as_utc(opinion.delivered_at),
                *people.of(opinion.author_user_id),
                referral_id=opinion.referral_id,
                specialist_id=opinion.specialist_id,
                specialist_name=specialist_name(specialists.get(opinion.specialist_id)),
            )
        )
    entries += _first_audited(session, people, case, "opinion.compare", "compared")
    if case.decision is not None:
        decision = case.decision
        entries.append(
            Entry(
                "chosen_path",
                as_utc(decision.decided_at),
                *people.of(decision.decided_by_user_id),
                detail={
                    "path": decision.path.value,
                    "physician": people.of(decision.physician_user_id)[1],
                    "case_status": case.status.value,
                },
            )
        )
    order = {step: index for index, step in enumerate(STEPS)}
    return sorted(entries, key=lambda e: (e.at, order[e.step]))


STEPS = (
    "created",
    "patient_accepted",
    "matched",
    "referred",
    "referral_accepted",
    "records_released",
    "booked",
    "paid",
    "opinion_delivered",
    "compared",
    "tie_breaker_referred",
    "tie_breaker_delivered",
    "chosen_path",
)


class _People:
    """Role and display name of the accounts a timeline mentions, each looked up once."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.seen: dict[int, tuple[str | None, str | None]] = {}

    def of(self, user_id: int | None) -> tuple[str | None, str | None]:
        if user_id is None:
            return None, None
        if user_id not in self.seen:
            user = self.session.get(User, user_id)
            self.seen[user_id] = (user.role.value, user.display_name) if user else (None, None)
        return self.seen[user_id]


def _first_audited(session: Session, people: _People, case: Case, action: str, step: str) -> list[Entry]:
    event = session.scalar(
        select(AuditEvent)
        .where(AuditEvent.case_id == case.id, AuditEvent.action == action)
        .order_by(AuditEvent.id)
        .limit(1)
    )
    return [Entry(step, as_utc(event.at), *people.of(event.actor_user_id))] if event else []


def _referral_steps(
    people: _People, referrals: list[Referral], specialists: dict[int | None, Specialist], tie_breakers: set[int]
) -> list[Entry]:
    entries = []
    for referral in referrals:
        named: dict[str, Any] = dict(
            referral_id=referral.id,
            specialist_id=referral.specialist_id,
            specialist_name=specialist_name(specialists.get(referral.specialist_id)),
        )
        for event in referral.events:
            step = _REFERRAL_STEP.get(event.action)
            if step == "referred" and referral.id in tie_breakers:
                step = "tie_breaker_referred"
            if step:
                entries.append(Entry(step, as_utc(event.at), *people.of(event.actor_user_id), **named))
    return entries


_REFERRAL_STEP = {"send": "referred", "accept": "referral_accepted"}


def _releases(session: Session, people: _People, case: Case, specialists: dict[int | None, Specialist]) -> list[Entry]:
    rows = session.scalars(
        select(RecordsAuthorization).where(RecordsAuthorization.case_id == case.id).order_by(RecordsAuthorization.id)
    )
    return [
        Entry(
            "records_released",
            as_utc(row.created_at),
            *people.of(row.granted_by_user_id),
            specialist_id=row.recipient_specialist_id,
            specialist_name=specialist_name(specialists.get(row.recipient_specialist_id)),
        )
        for row in rows
    ]


def _bookings(session: Session, people: _People, case: Case) -> list[Entry]:
    entries = []
    for booking in session.scalars(
        select(Booking)
        .where(Booking.case_id == case.id, Booking.confirmed_at.is_not(None), Booking.rescheduled_from_id.is_(None))
        .order_by(Booking.id)
    ):
        who = people.of(booking.patient_id)
        assert booking.confirmed_at is not None  # the query keeps confirmed bookings only
        entries.append(
            Entry(
                "booked",
                as_utc(booking.confirmed_at),
                *who,
                referral_id=booking.referral_id,
                detail={"booking_id": booking.id},
            )
        )
        payment = session.scalar(
            select(Payment)
            .where(Payment.booking_id == booking.id, Payment.status.in_(PAID))
            .order_by(Payment.id.desc())
            .limit(1)
        )
        if payment is not None:
            entries.append(
                Entry(
                    "paid",
                    as_utc(payment.updated_at),
                    *who,
                    referral_id=booking.referral_id,
                    detail={"booking_id": booking.id, "amount_cents": payment.amount_cents},
                )
            )
    return entries
