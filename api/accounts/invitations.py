"""Specialists claim their directory profile through an invitation an administrator sends.

An invitation goes to one specialist or a set (by NPI list, institution or state) and needs an
e-mail address. The directory keeps none, so:
- the administrator gives one per NPI (`contacts`); it wins over anything else;
- a synthetic specialist (data_source "synthetic") without one gets its synthetic contact address,
  `npi-<NPI>@specialists.secondlook.test`: the .test domain is reserved (RFC 2606), so it can never
  reach a real person, while a development or test SMTP server still receives it. This makes every
  specialist a match returns invitable;
- any other specialist without a given address is skipped, reason "no_contact".
The link lets the holder set a password; that creates a specialist account bound to the entry.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from api.accounts import links
from api.accounts.links import LinkSettings
from api.audit import services as audit
from api.auth.services import Identity, create_user, find_user, identity_of
from api.db import utcnow
from api.errors import Conflict, Invalid, NotFound
from api.mail import messages
from api.mail.outbox import send as send_mail
from api.models import AccountToken, Location, PracticeLocation, Role, Specialist, TokenPurpose, User
from api.unit_of_work import UnitOfWork

SYNTHETIC_CONTACT_DOMAIN = "specialists.secondlook.test"
MAX_INVITATIONS = 500  # per request: a larger set is better sent in parts


@dataclass
class InvitationReport:
    """Who was invited (to which address) and who was skipped (and why)."""

    invited: list[dict] = field(default_factory=list)
    skipped: list[dict] = field(default_factory=list)


def synthetic_contact(specialist: Specialist) -> str | None:
    """The reserved-domain contact of a synthetic specialist; None for real ones."""
    return f"npi-{specialist.npi}@{SYNTHETIC_CONTACT_DOMAIN}" if specialist.data_source == "synthetic" else None


def select_specialists(session, selector: dict) -> list[Specialist]:
    """The specialists an invitation names: by NPIs, an institution or a state (of a practice location)."""
    query = select(Specialist).order_by(Specialist.id)
    if "npis" in selector:
        query = query.where(Specialist.npi.in_(selector["npis"]))
    elif "institution_id" in selector:
        query = query.where(Specialist.institution_id == selector["institution_id"])
    else:
        located = (
            select(PracticeLocation.specialist_id)
            .join(Location, PracticeLocation.location_id == Location.id)
            .where(Location.state == selector["state"])
        )
        query = query.where(Specialist.id.in_(located))
    found = session.scalars(query.limit(MAX_INVITATIONS + 1)).all()
    if len(found) > MAX_INVITATIONS:
        raise Invalid(f"More than {MAX_INVITATIONS} specialists match; invite them in smaller sets.", field="state")
    return list(found)


def invite_specialists(uow: UnitOfWork, links_: LinkSettings, admin: Identity, selector: dict) -> InvitationReport:
    """Mail a claim link to every selected specialist who has an address and no account yet."""
    session = uow.session
    contacts = {c["npi"]: c["email"].strip().lower() for c in selector.get("contacts", [])}
    chosen = select_specialists(session, selector)
    claimed = set(session.scalars(select(User.specialist_id).where(User.specialist_id.in_([s.id for s in chosen]))))
    report = InvitationReport()
    found_npis = {s.npi for s in chosen}
    report.skipped += [
        {"npi": npi, "specialist_id": None, "reason": "not_in_directory"}
        for npi in selector.get("npis", [])
        if npi not in found_npis
    ]
    for specialist in chosen:
        email = contacts.get(specialist.npi) or synthetic_contact(specialist)
        reason = "claimed" if specialist.id in claimed else None if email else "no_contact"
        if reason or not email:  # no reason means an address
            report.skipped.append({"npi": specialist.npi, "specialist_id": specialist.id, "reason": reason})
            continue
        _invite(uow, links_, admin, specialist, email, referred=False)
        report.invited.append({"npi": specialist.npi, "specialist_id": specialist.id, "email": email})
    return report


def invite_referred(uow: UnitOfWork, links_: LinkSettings, sender: Identity, specialist_ids) -> list[int]:
    """Mail a claim link to each referred specialist who has no account and no live invitation yet, so
    that every specialist a case is sent to can take their step. The address is the contact on file
    (a synthetic specialist's reserved-domain one); a real specialist with none on file is left to an
    administrator's invitation. Returns the ids of those invited."""
    session = uow.session
    wanted = set(specialist_ids)
    claimed = set(session.scalars(select(User.specialist_id).where(User.specialist_id.in_(wanted))))
    invited_already = set(
        session.scalars(
            select(AccountToken.specialist_id).where(
                AccountToken.purpose == TokenPurpose.CLAIM_SPECIALIST,
                AccountToken.specialist_id.in_(wanted),
                AccountToken.used_at.is_(None),
                AccountToken.expires_at > utcnow(),
            )
        )
    )
    invited = []
    for specialist in session.scalars(
        select(Specialist).where(Specialist.id.in_(wanted - claimed - invited_already)).order_by(Specialist.id)
    ):
        email = synthetic_contact(specialist)
        if email is not None:
            _invite(uow, links_, sender, specialist, email, referred=True)
            invited.append(specialist.id)
    return invited


def _invite(
    uow: UnitOfWork, links_: LinkSettings, actor: Identity, specialist: Specialist, email: str, *, referred: bool
) -> None:
    link = links.issue(
        uow.session,
        links_,
        TokenPurpose.CLAIM_SPECIALIST,
        specialist_id=specialist.id,
        email=email,
        created_by_user_id=actor.user_id,
    )
    claim_url = links_.url(links.PATHS[TokenPurpose.CLAIM_SPECIALIST])
    send_mail(uow, email, messages.specialist_invitation(link.api, claim_url, link.page, referred=referred))
    audit.record(
        uow.session, actor, "specialist.invited", case_id=None, entity_type="specialist", entity_id=specialist.id
    )


def preview_invitation(session, token: str) -> dict:
    """What an invitation offers, without using it: the directory entry and the address it binds."""
    row = links.find_live(session, token, TokenPurpose.CLAIM_SPECIALIST)
    specialist = session.get(Specialist, row.specialist_id) if row.specialist_id else None
    if specialist is None:
        raise NotFound(links.DEAD_LINK)
    return {
        "specialist_id": specialist.id,
        "npi": specialist.npi,
        "email": row.email,
        "expires_at": row.expires_at,
        "display_name": f"Dr. {specialist.first_name} {specialist.last_name}",
    }


def claim_profile(uow: UnitOfWork, token: str, password: str, display_name: str | None) -> User:
    """Follow an invitation: a specialist account, bound to the directory entry, with the invited address."""
    session = uow.session
    row = links.redeem(session, token, TokenPurpose.CLAIM_SPECIALIST)
    specialist = session.get(Specialist, row.specialist_id) if row.specialist_id else None
    if specialist is None or row.email is None:
        raise NotFound(links.DEAD_LINK)
    if session.scalar(select(User.id).where(User.specialist_id == specialist.id)):
        raise Conflict("This profile has already been claimed; sign in instead.")
    if find_user(session, row.email) is not None:
        raise Conflict("An account already uses this address; sign in, or ask for an invitation to another one.")
    user = create_user(
        session,
        email=row.email,
        password=password,
        role=Role.SPECIALIST,
        display_name=display_name or f"Dr. {specialist.first_name} {specialist.last_name}",
        specialist_id=specialist.id,
        npi=specialist.npi,
    )
    try:
        session.flush()
    except IntegrityError as err:  # claimed (or the address taken) a moment ago; the unit of work rolls back
        raise Conflict("This profile has already been claimed; sign in instead.") from err
    audit.record(
        session,
        identity_of(user),
        "specialist.claimed",
        case_id=None,
        entity_type="specialist",
        entity_id=specialist.id,
    )
    return user
