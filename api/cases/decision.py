"""The patient's decision after the opinions: the path they chose and the physician they continue with.

Recording it closes the case (every further change is refused with 409, see `permissions.CHANGES`),
cancels the referrals still waiting on a specialist (a scheduled consultation stays the patient's to
cancel, with its refund), and tells the chosen physician by e-mail, with no health data: only that a
patient will continue with them and where to sign in.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from api import case_permissions as permissions
from api.audit.services import record as audit
from api.auth.services import Identity
from api.cases.conferences import ENGAGED
from api.cases.mailing import tell_chosen_physician
from api.cases.referrals import withdraw_unanswered
from api.cases.timeline import tie_breaker_referral_ids
from api.db import utcnow
from api.errors import Conflict, Invalid
from api.models import Case, CaseDecision, CaseStatus, ChosenPath, Opinion, Referral, Role, User
from api.unit_of_work import UnitOfWork

CLOSED_BY_DECISION = "The patient chose a path; the case is closed."


def decide(uow: UnitOfWork, identity: Identity, case_id: int, data: dict, reason: str | None) -> CaseDecision:
    """Record the chosen path and physician, close the case, and notify that physician after the commit."""
    session = uow.session
    case, _ = permissions.authorize(session, identity, case_id, "case.decide", reason)
    opinions = list(session.scalars(select(Opinion).where(Opinion.case_id == case.id).order_by(Opinion.id)))
    if not opinions:
        raise Conflict("Record your decision once at least one opinion has been delivered.")
    path = ChosenPath(data["path"])
    opinion = _followed_opinion(case, opinions, path, data.get("opinion_id"))
    physician = _physician(session, case, data)
    decision = CaseDecision(
        case_id=case.id,
        decided_by_user_id=identity.user_id,
        path=path,
        opinion_id=opinion.id if opinion else None,
        physician_user_id=physician.id,
    )
    case.decision = decision
    case.status, case.closed_at = CaseStatus.CLOSED, utcnow()
    withdraw_unanswered(uow, identity, case, CLOSED_BY_DECISION)
    session.flush()
    audit(
        session, identity, "case.decide", case_id=case.id, entity_type="decision", entity_id=decision.id, reason=reason
    )
    tell_chosen_physician(uow, physician.id, case.id)
    return decision


def _followed_opinion(case: Case, opinions: list[Opinion], path: ChosenPath, opinion_id: int | None) -> Opinion | None:
    """The opinion the patient follows: none for the first plan, else one of the case's (tie-breaker or not)."""
    if path is ChosenPath.FIRST_PLAN:
        if opinion_id is not None:
            raise Invalid("Staying with the first plan follows no opinion; leave opinion_id out.", field="opinion_id")
        return None
    opinion = next((o for o in opinions if o.id == opinion_id), None)
    if opinion is None:
        raise Invalid("Name the opinion you follow: one delivered on this case.", field="opinion_id")
    tie_breakers = tie_breaker_referral_ids(list(case.referrals), opinions)
    if (opinion.referral_id in tie_breakers) != (path is ChosenPath.TIE_BREAKER):
        kind = "the tie-breaker's" if path is ChosenPath.TIE_BREAKER else "a second opinion (not the tie-breaker)"
        raise Invalid(f"For this path, name {kind} opinion.", field="opinion_id")
    return opinion


def _physician(session: Session, case: Case, data: dict) -> User:
    """The physician the patient continues with: a referring physician of the case, or a specialist who took it on."""
    if data.get("specialist_id") is not None:
        engaged = session.scalar(
            select(Referral.id)
            .where(
                Referral.case_id == case.id,
                Referral.specialist_id == data["specialist_id"],
                Referral.status.in_(ENGAGED),
            )
            .limit(1)
        )
        user = (
            session.scalar(
                select(User)
                .where(User.specialist_id == data["specialist_id"], User.is_active)
                .order_by(User.id)
                .limit(1)
            )
            if engaged
            else None
        )
        if user is None:
            raise Invalid("Name a specialist who took this case on and has an account.", field="specialist_id")
        return user
    referrers = {case.created_by_user_id} | {copy.user_id for copy in case.copies}
    user = session.get(User, data["physician_user_id"]) if data.get("physician_user_id") in referrers else None
    if user is None or user.role is not Role.REFERRING_PHYSICIAN or not user.is_active:
        raise Invalid("Name a referring physician of this case.", field="physician_user_id")
    return user
