"""Turning a case into a `MatchCase` (codes, place and plan only) and running the matcher on it."""
from __future__ import annotations

from typing import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from search.backends.base import MatchResult
from search.case import DEFAULT_MAX_DISTANCE_MI, REASONS, MatchCase
from api.matching.services import timed_match
from api.models import Case, Institution, Plan, PlanNetwork, Specialist
from reference import zip_centroids


def first_physician_exclusions(session: Session, case: Case) -> tuple[set[int], set[int]]:
    """The first physician's specialist id and institution id, when their NPI is in the directory."""
    if not case.first_physician_npi:
        return set(), set()
    row = session.execute(select(Specialist.id, Specialist.institution_id)
                          .where(Specialist.npi == case.first_physician_npi)).first()
    if row is None:
        return set(), set()
    return {row.id}, {row.institution_id} if row.institution_id is not None else set()


def build_match_case(session: Session, case: Case, *, limit: int, exclude_specialist_ids: Iterable[int] = (),
                     exclude_institution_ids: Iterable[int] = ()) -> MatchCase:
    """The de-identified case the matcher sees; the first physician and their institution always excluded."""
    specialists, institutions = first_physician_exclusions(session, case)
    institutions |= set(exclude_institution_ids)
    # By name too (as POST /v1/matches does), so every site of an excluded group counts as not independent.
    names = set(session.scalars(select(Institution.name).where(Institution.id.in_(institutions))))
    if case.first_physician_institution:
        names.add(case.first_physician_institution)
    centroid = zip_centroids.get(case.preferred_zip or case.patient_zip)
    plan = session.get(Plan, case.plan_id) if case.plan_id else None
    networks = session.scalars(select(PlanNetwork.network_id).where(PlanNetwork.plan_id == plan.id)).all() if plan else ()
    reason = next((r for r in case.second_opinion_reasons if r in REASONS), "other")
    return MatchCase(
        conditions=tuple((c["system"], c["code"]) for c in case.conditions), specialty=case.specialty,
        point=(centroid[0], centroid[1]) if centroid else None,
        max_distance_mi=float(case.max_distance_mi or DEFAULT_MAX_DISTANCE_MI), telehealth_ok=case.telehealth_ok,
        plan_id=plan.id if plan else None, plan_name=plan.name if plan else None, network_ids=frozenset(networks),
        self_pay=case.self_pay, languages=tuple(case.languages),
        exclude_specialist_ids=frozenset(specialists | set(exclude_specialist_ids)),
        exclude_institution_ids=frozenset(institutions), exclude_institution_names=tuple(sorted(names)),
        reason=reason, urgency=case.urgency.value, limit=limit,
    )


def match_for_case(session: Session, case: Case, *, limit: int, exclude_specialist_ids: Iterable[int] = (),
                   exclude_institution_ids: Iterable[int] = ()) -> tuple[MatchCase, MatchResult]:
    """Run the configured search backend on the case."""
    match_case = build_match_case(session, case, limit=limit, exclude_specialist_ids=exclude_specialist_ids,
                                  exclude_institution_ids=exclude_institution_ids)
    return match_case, timed_match(match_case)
