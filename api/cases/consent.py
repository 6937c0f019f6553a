"""Consent before a case is shared: a referring physician's case waits for its patient to accept it.

The physician names the patient by e-mail only. Whether or not that address has an account, the
answer is the same (the case, with an invitation pending) and the same message goes to the address:
nothing tells the physician who has an account. The case is linked to the patient's account, and can
be shared with specialists, only once the patient accepts with the link's token while signed in
with the invited address.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from sqlalchemy import select

from api.audit.services import record as audit
from api.auth.services import Identity, digest
from api.cases.mailing import mail_case_invitation, public_link
from api.db import as_utc, utcnow
from api.errors import NotFound
from api.models import Case, CaseInvitation, CaseStatus, User
from api.unit_of_work import UnitOfWork

INVITATION_DAYS = 14
ACCEPT_PATH = "/v1/case-invitations/accept"  # POST {"token": ...} while signed in with the invited address
ACCEPT_PAGE = "/invitations/"  # + token: the page a person opens (api/web), to sign up or sign in and accept


def invite(uow: UnitOfWork, identity: Identity, case: Case, email: str) -> CaseInvitation:
    """Put the case in `invited` and mail the patient a link to accept it (after the commit)."""
    token = secrets.token_urlsafe(32)
    case.status = CaseStatus.INVITED
    invitation = CaseInvitation(
        case_id=case.id,
        email=email.strip().lower(),
        token_sha256=digest(token),
        invited_by_user_id=identity.user_id,
        expires_at=utcnow() + timedelta(days=INVITATION_DAYS),
    )
    case.invitation = invitation
    uow.session.flush()
    audit(uow.session, identity, "case.invite", case_id=case.id, entity_type="invitation", entity_id=invitation.id)
    mail_case_invitation(
        uow, invitation.email, public_link(f"{ACCEPT_PATH}?token={token}"), public_link(ACCEPT_PAGE + token)
    )
    return invitation


def accept(uow: UnitOfWork, identity: Identity, token: str) -> Case:
    """The invited patient accepts: the case is linked to their account and opens (idempotent for them)."""
    session = uow.session
    invitation = session.scalar(select(CaseInvitation).where(CaseInvitation.token_sha256 == digest(token)))
    email = session.get_one(User, identity.user_id).email.lower()
    # One answer for a wrong token, an expired one and another address: a token proves nothing else.
    if invitation is None or invitation.email != email or as_utc(invitation.expires_at) <= utcnow():
        raise NotFound("No such invitation for your e-mail address, or it has expired.")
    case = session.get_one(Case, invitation.case_id)
    if invitation.accepted_at is None:
        invitation.accepted_at = utcnow()
        case.patient_user_id, case.status = identity.user_id, CaseStatus.OPEN
        audit(session, identity, "case.accept", case_id=case.id, entity_type="invitation", entity_id=invitation.id)
    return case


def invitation_view(invitation: CaseInvitation | None) -> dict | None:
    """What a case's parties see of its invitation: whether it is pending, never whether an account exists."""
    if invitation is None:
        return None
    return {
        "status": "accepted" if invitation.accepted_at else "pending",
        "email": invitation.email,
        "expires_at": as_utc(invitation.expires_at),
        "accepted_at": as_utc(invitation.accepted_at) if invitation.accepted_at else None,
    }
