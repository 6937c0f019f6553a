"""Case conferences: a request that two of the case's specialists review it together."""

from __future__ import annotations

from sqlalchemy import select

from api import case_permissions as permissions
from api.audit.services import record as audit
from api.auth.services import Identity
from api.case_permissions import Party
from api.cases.notifications import CONFERENCE_REQUESTED, notify
from api.errors import Conflict
from api.models import CaseConference, Referral, ReferralStatus
from api.unit_of_work import UnitOfWork

# A conference is among doctors who took the case on.
ENGAGED = frozenset({ReferralStatus.ACCEPTED, ReferralStatus.SCHEDULED, ReferralStatus.COMPLETED})


def request_conference(
    work: UnitOfWork, identity: Identity, case_id: int, data: dict, reason: str | None
) -> CaseConference:
    """Ask two specialists who accepted the case to review it together; both are notified."""
    session = work.session
    case, _ = permissions.authorize(session, identity, case_id, "conference.request", reason)
    first, second = data["specialist_ids"]
    engaged = set(
        session.scalars(select(Referral.specialist_id).where(Referral.case_id == case.id, Referral.status.in_(ENGAGED)))
    )
    if not {first, second} <= engaged:
        raise Conflict("Name two different specialists who accepted this case.", field="specialist_ids")
    conference = CaseConference(
        case_id=case.id,
        requested_by_user_id=identity.user_id,
        first_specialist_id=first,
        second_specialist_id=second,
        note=data.get("note"),
    )
    session.add(conference)
    session.flush()
    notify(work, CONFERENCE_REQUESTED, conference.id, conference.status)
    audit(
        session,
        identity,
        "conference.request",
        case_id=case.id,
        entity_type="conference",
        entity_id=conference.id,
        reason=reason,
    )
    return conference


def list_conferences(work: UnitOfWork, identity: Identity, case_id: int, reason: str | None) -> list[CaseConference]:
    """The case's conference requests (a specialist sees those naming them)."""
    session = work.session
    case, party = permissions.authorize(session, identity, case_id, "conference.read", reason)
    query = select(CaseConference).where(CaseConference.case_id == case.id).order_by(CaseConference.id)
    if party is Party.SPECIALIST:
        me = identity.specialist_id
        query = query.where((CaseConference.first_specialist_id == me) | (CaseConference.second_specialist_id == me))
    audit(session, identity, "conference.list", case_id=case.id, entity_type="case", entity_id=case.id, reason=reason)
    return list(session.scalars(query))
