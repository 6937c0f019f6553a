"""Opinions: delivery by the specialist, and their comparison with a tie-breaker when they conflict.

Each opinion is classified against the first physician by the specialist's own answers:
`agree` (diagnosis and treatment), `different_diagnosis`, or `same_diagnosis_different_treatment`.
The opinions conflict when any of them is not `agree`; the tie-breaker is then a fresh match that
excludes the first physician, every specialist the case was sent to, and all their institutions.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from api import case_permissions as permissions
from api.audit.services import record as audit
from api.auth.services import Identity
from api.case_permissions import Party
from api.cases import referrals
from api.cases.matching import first_physician_exclusions, match_for_case
from api.errors import Conflict, Invalid
from api.models import Case, Opinion, Referral, ReferralStatus, Specialist
from api.unit_of_work import UnitOfWork
from search.backends.base import MatchResult
from search.case import MatchCase

AGREE, DIFFERENT_DIAGNOSIS, DIFFERENT_TREATMENT = "agree", "different_diagnosis", "same_diagnosis_different_treatment"
DELIVERABLE = frozenset({ReferralStatus.ACCEPTED, ReferralStatus.SCHEDULED})


def deliver(work: UnitOfWork, identity: Identity, referral_id: int, data: dict, reason: str | None) -> Opinion:
    """The referral's specialist delivers the written opinion; the referral is then completed."""
    session = work.session
    referral, _ = permissions.authorize_referral(session, identity, referral_id, "opinion.deliver", reason)
    if referral.status not in DELIVERABLE:
        raise Conflict(
            f"An opinion is delivered on an accepted or scheduled referral; this one is {referral.status.value}."
        )
    questions = len(referral.case.questions)
    if any(answer["question_index"] >= questions for answer in data["answers"]):
        raise Invalid(f"The case has {questions} questions (numbered from 0).", field="answers")
    opinion = Opinion(
        referral_id=referral.id,
        case_id=referral.case_id,
        specialist_id=referral.specialist_id,
        author_user_id=identity.user_id,
        diagnosis_codes=[{"system": s, "code": c} for s, c in data["diagnosis_codes"]],
        agrees_with_diagnosis=data["agrees_with_diagnosis"],
        agrees_with_treatment=data["agrees_with_treatment"],
        recommended_plan=data["recommended_plan"],
        alternatives=data["alternatives"],
        clinical_trials=data["clinical_trials"],
        answers=data["answers"],
    )
    session.add(opinion)
    session.flush()
    audit(
        session,
        identity,
        "opinion.deliver",
        case_id=referral.case_id,
        entity_type="opinion",
        entity_id=opinion.id,
        reason=reason,
    )
    referrals.complete(work, identity, referral, reason)
    return opinion


def list_opinions(work: UnitOfWork, identity: Identity, case_id: int, reason: str | None) -> list[Opinion]:
    """The case's opinions (a specialist sees only their own: opinions stay independent)."""
    session = work.session
    case, party = permissions.authorize(session, identity, case_id, "opinion.read", reason)
    query = select(Opinion).where(Opinion.case_id == case.id).order_by(Opinion.id)
    if party is Party.SPECIALIST:
        query = query.where(Opinion.specialist_id == identity.specialist_id)
    audit(session, identity, "opinion.list", case_id=case.id, entity_type="case", entity_id=case.id, reason=reason)
    return list(session.scalars(query))


def classify(opinion: Opinion) -> str:
    """How an opinion stands to the first physician's diagnosis and treatment."""
    if not opinion.agrees_with_diagnosis:
        return DIFFERENT_DIAGNOSIS
    return AGREE if opinion.agrees_with_treatment else DIFFERENT_TREATMENT


@dataclass(frozen=True)
class Comparison:
    """The opinions side by side, whether they conflict, and the tie-breaker match when they do."""

    case: Case
    opinions: list[Opinion]
    specialists: dict[int, Specialist]
    conflict: bool
    excluded_specialist_ids: frozenset[int] = frozenset()
    excluded_institution_ids: frozenset[int] = frozenset()
    tie_breaker: tuple[MatchCase, MatchResult] | None = None


def compare(work: UnitOfWork, identity: Identity, case_id: int, limit: int, reason: str | None) -> Comparison:
    """Compare the case's opinions; propose a tie-breaker from elsewhere when they conflict."""
    session = work.session
    case, _ = permissions.authorize(session, identity, case_id, "opinion.compare", reason)
    opinions = list(session.scalars(select(Opinion).where(Opinion.case_id == case.id).order_by(Opinion.id)))
    audit(session, identity, "opinion.compare", case_id=case.id, entity_type="case", entity_id=case.id, reason=reason)
    ids = {o.specialist_id for o in opinions if o.specialist_id is not None}
    specialists = {s.id: s for s in session.scalars(select(Specialist).where(Specialist.id.in_(ids)))}
    conflict = any(classify(o) != AGREE for o in opinions)
    if not conflict:
        return Comparison(case, opinions, specialists, conflict=False)
    consulted = {
        sid
        for sid in session.scalars(
            select(Referral.specialist_id).where(Referral.case_id == case.id, Referral.status != ReferralStatus.DRAFT)
        )
        if sid is not None
    }
    institutions = {
        iid
        for iid in session.scalars(select(Specialist.institution_id).where(Specialist.id.in_(consulted)))
        if iid is not None
    }
    first_ids, first_institutions = first_physician_exclusions(session, case)
    excluded, excluded_institutions = frozenset(consulted | first_ids), frozenset(institutions | first_institutions)
    tie_breaker = match_for_case(
        session, case, limit=limit, exclude_specialist_ids=excluded, exclude_institution_ids=excluded_institutions
    )
    return Comparison(case, opinions, specialists, True, excluded, excluded_institutions, tie_breaker)
