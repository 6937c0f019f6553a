"""The one place that answers "may this identity do this verb on this case?".

The answers, in order: no live token is 401 and a role that may never do the verb is 403 (both
from `secured` on the view, before any case is looked at); a caller who is not a party to the case
gets 404 whether or not it exists, so ids reveal nothing; a party who lacks something more (a live
records authorization, an access reason, a plan that allows self-referral) gets 403.
"""

from __future__ import annotations

import enum

from sqlalchemy import exists, false, select
from sqlalchemy.orm import Session

from api.auth.services import Identity
from api.db import as_utc, utcnow
from api.errors import Conflict, Forbidden, NotFound
from api.models import Case, CaseCopy, CaseStatus, RecordsAuthorization, Referral, ReferralStatus, Role


class Party(str, enum.Enum):
    """How the caller stands to a case."""

    PATIENT = "patient"
    REFERRER = "referrer"  # the referring physician who created the case, or one copied on it
    SPECIALIST = "specialist"  # a specialist the case is referred to
    ADMIN = "admin"  # support access, always with a stated reason


_ROLE_OF = {
    Party.PATIENT: Role.PATIENT,
    Party.REFERRER: Role.REFERRING_PHYSICIAN,
    Party.SPECIALIST: Role.SPECIALIST,
    Party.ADMIN: Role.ADMIN,
}
P, R, S, A = Party.PATIENT, Party.REFERRER, Party.SPECIALIST, Party.ADMIN

# verb -> the parties that may do it. Specialists reading records also need a live authorization.
VERBS: dict[str, frozenset[Party]] = {
    "case.create": frozenset({P, R}),
    "case.read": frozenset({P, R, S, A}),
    "case.match": frozenset({P, R}),
    "referral.send": frozenset({P, R}),
    "referral.read": frozenset({P, R, S, A}),
    "referral.transition": frozenset({P, R, S}),
    "record.list": frozenset({P, R, S, A}),
    "record.upload": frozenset({P, R}),
    "record.download": frozenset({P, R, S}),
    "authorization.grant": frozenset({P}),
    "authorization.read": frozenset({P, R, S, A}),
    "opinion.deliver": frozenset({S}),
    "opinion.read": frozenset({P, R, S, A}),
    "opinion.compare": frozenset({P, R, A}),
    "conference.request": frozenset({P, R}),
    "conference.read": frozenset({P, R, S, A}),
    "timeline.read": frozenset({P, R, A}),
    "case.decide": frozenset({P}),
}

# Verbs that change a case: refused (409) once the patient's decision closed it. Revoking a records
# authorization stays possible (the patient may always withdraw a release).
CHANGES = frozenset(
    {"referral.send", "referral.transition", "record.upload", "opinion.deliver", "conference.request", "case.decide"}
)
# Verbs that share the case with someone: refused (409) until the invited patient has accepted it.
SHARES = frozenset({"referral.send", "record.upload", "conference.request"})

# A specialist sees the case while their referral is live or done; not as a draft, nor once
# it was cancelled or declined (minimum necessary).
SPECIALIST_VISIBLE = frozenset(
    {
        ReferralStatus.REQUESTED,
        ReferralStatus.RECEIVED,
        ReferralStatus.ACCEPTED,
        ReferralStatus.SCHEDULED,
        ReferralStatus.COMPLETED,
    }
)


def roles_for(verb: str) -> tuple[Role, ...]:
    """The account roles that may ever do `verb` (for `secured` on the view)."""
    return tuple(_ROLE_OF[party] for party in Party if party in VERBS[verb])


def party_of(session: Session, identity: Identity, case: Case) -> Party | None:
    """How the caller stands to the case, or None when they are not a party to it."""
    if identity.role is Role.ADMIN:
        return Party.ADMIN
    if identity.role is Role.PATIENT:
        return Party.PATIENT if case.patient_user_id == identity.user_id else None
    if identity.role is Role.REFERRING_PHYSICIAN:
        copied = any(copy.user_id == identity.user_id for copy in case.copies)
        return Party.REFERRER if case.created_by_user_id == identity.user_id or copied else None
    if identity.role is Role.SPECIALIST and identity.specialist_id is not None:
        referred = session.scalar(
            select(
                exists().where(
                    Referral.case_id == case.id,
                    Referral.specialist_id == identity.specialist_id,
                    Referral.status.in_(SPECIALIST_VISIBLE),
                )
            )
        )
        return Party.SPECIALIST if referred else None
    return None


def authorize(session: Session, identity: Identity, case_id: int, verb: str, reason: str | None) -> tuple[Case, Party]:
    """The case and the caller's party, or NotFound (not a party) / Forbidden (party, not allowed)."""
    case = session.get(Case, case_id)
    party = party_of(session, identity, case) if case is not None else None
    if case is None or party is None:
        raise NotFound(f"No case {case_id} that you can see.")
    if party is Party.ADMIN and not reason:
        raise Forbidden("Support access to a case needs a reason: send it in the X-Access-Reason header.")
    if party not in VERBS[verb]:
        raise Forbidden("Your role may not do this on a case.")
    require_state(case, verb)
    return case, party


def require_state(case: Case, verb: str) -> None:
    """409 when the case's status does not allow the verb: closed (no changes) or awaiting consent (no sharing)."""
    if case.status is CaseStatus.CLOSED and verb in CHANGES:
        raise Conflict("This case is closed: the patient has recorded their decision.")
    if case.status is CaseStatus.INVITED and verb in SHARES:
        raise Conflict("The patient has not accepted this case yet; it is shared only once they do.")


def authorize_referral(
    session: Session, identity: Identity, referral_id: int, verb: str, reason: str | None
) -> tuple[Referral, Party]:
    """A referral and the caller's party; a specialist reaches only their own, sent referrals."""
    referral = session.get(Referral, referral_id)
    missing = NotFound(f"No referral {referral_id} that you can see.")
    if referral is None:
        raise missing
    if identity.role is Role.SPECIALIST:
        # Their own referral stays theirs to read (and to be told "409") even once declined.
        if (
            identity.specialist_id is None
            or referral.specialist_id != identity.specialist_id
            or referral.status is ReferralStatus.DRAFT
        ):
            raise missing
        if Party.SPECIALIST not in VERBS[verb]:
            raise Forbidden("Your role may not do this on a referral.")
        require_state(referral.case, verb)
        return referral, Party.SPECIALIST
    try:
        _, party = authorize(session, identity, referral.case_id, verb, reason)
    except NotFound:
        raise missing from None
    return referral, party


def visible_cases_clause(identity: Identity):
    """A WHERE clause selecting the cases the caller may see (admins: every case)."""
    if identity.role is Role.PATIENT:
        return Case.patient_user_id == identity.user_id
    if identity.role is Role.REFERRING_PHYSICIAN:
        copied = select(CaseCopy.case_id).where(CaseCopy.user_id == identity.user_id)
        return (Case.created_by_user_id == identity.user_id) | Case.id.in_(copied)
    if identity.role is Role.SPECIALIST and identity.specialist_id is not None:
        referred = select(Referral.case_id).where(
            Referral.specialist_id == identity.specialist_id, Referral.status.in_(SPECIALIST_VISIBLE)
        )
        return Case.id.in_(referred)
    if identity.role is Role.ADMIN:
        return Case.id.is_not(None)
    return false()  # e.g. a specialist account not (or no longer) tied to a directory entry


def live_authorization(
    session: Session, case_id: int, specialist_id: int | None, kind: str | None = None
) -> RecordsAuthorization | None:
    """The specialist's unrevoked, unexpired records authorization on the case covering `kind`."""
    if specialist_id is None:
        return None
    rows = session.scalars(
        select(RecordsAuthorization).where(
            RecordsAuthorization.case_id == case_id,
            RecordsAuthorization.recipient_specialist_id == specialist_id,
            RecordsAuthorization.revoked_at.is_(None),
        )
    ).all()
    now = utcnow()
    for row in rows:  # checked on every request, so a revocation takes effect at once
        if as_utc(row.expires_at) > now and (kind is None or "all" in row.scope or kind in row.scope):
            return row
    return None


def require_records_access(
    session: Session, case: Case, party: Party, identity: Identity, kind: str | None = None
) -> None:
    """403 unless the caller may read the case's records (specialists: under a live authorization)."""
    if party is Party.SPECIALIST and live_authorization(session, case.id, identity.specialist_id, kind) is None:
        raise Forbidden(
            "Reading this case's records needs the patient's live release-of-information authorization for you."
        )
