"""Release-of-information authorizations: the patient lets one specialist read (part of) the records."""

from __future__ import annotations

from sqlalchemy import select

from api import case_permissions as permissions
from api.audit.services import record as audit
from api.auth.services import Identity
from api.case_permissions import SPECIALIST_VISIBLE, Party
from api.db import utcnow
from api.errors import Conflict, Invalid, NotFound
from api.models import RecordsAuthorization, Referral
from api.unit_of_work import UnitOfWork


def grant(work: UnitOfWork, identity: Identity, case_id: int, data: dict, reason: str | None) -> RecordsAuthorization:
    """The patient authorizes a specialist the case is referred to, for a scope, until a moment."""
    session = work.session
    case, _ = permissions.authorize(session, identity, case_id, "authorization.grant", reason)
    referred = session.scalar(
        select(Referral.id)
        .where(
            Referral.case_id == case.id,
            Referral.specialist_id == data["recipient_specialist_id"],
            Referral.status.in_(SPECIALIST_VISIBLE),
        )
        .limit(1)
    )
    if referred is None:
        raise Conflict("Authorize a specialist this case is referred to.", field="recipient_specialist_id")
    if data["expires_at"] <= utcnow():
        raise Invalid("The authorization must expire in the future.", field="expires_at")
    row = RecordsAuthorization(
        case_id=case.id,
        granted_by_user_id=identity.user_id,
        scope=sorted(set(data["scope"])),
        recipient_specialist_id=data["recipient_specialist_id"],
        expires_at=data["expires_at"],
    )
    session.add(row)
    session.flush()
    audit(
        session,
        identity,
        "authorization.grant",
        case_id=case.id,
        entity_type="authorization",
        entity_id=row.id,
        reason=reason,
    )
    return row


def list_authorizations(
    work: UnitOfWork, identity: Identity, case_id: int, reason: str | None
) -> list[RecordsAuthorization]:
    """The case's authorizations (a specialist sees those naming them)."""
    session = work.session
    case, party = permissions.authorize(session, identity, case_id, "authorization.read", reason)
    query = select(RecordsAuthorization).where(RecordsAuthorization.case_id == case.id)
    if party is Party.SPECIALIST:
        query = query.where(RecordsAuthorization.recipient_specialist_id == identity.specialist_id)
    audit(
        session, identity, "authorization.list", case_id=case.id, entity_type="case", entity_id=case.id, reason=reason
    )
    return list(session.scalars(query.order_by(RecordsAuthorization.id)))


def revoke(
    work: UnitOfWork, identity: Identity, case_id: int, authorization_id: int, reason: str | None
) -> RecordsAuthorization:
    """The patient revokes an authorization; the next read by the specialist is refused."""
    session = work.session
    case, _ = permissions.authorize(session, identity, case_id, "authorization.grant", reason)
    row = session.get(RecordsAuthorization, authorization_id)
    if row is None or row.case_id != case.id:
        raise NotFound(f"No authorization {authorization_id} on this case.")
    if row.revoked_at is not None:
        raise Conflict("This authorization is already revoked.")
    row.revoked_at, row.revoked_by_user_id = utcnow(), identity.user_id
    audit(
        session,
        identity,
        "authorization.revoke",
        case_id=case.id,
        entity_type="authorization",
        entity_id=row.id,
        reason=reason,
    )
    return row
