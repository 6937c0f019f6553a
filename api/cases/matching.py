"""Turning a case into a `MatchCase` (codes, place and plan only) and running the matcher on it."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.coverage.plan_cache import plan_cache
from api.db import utcnow
from api.matching.patient import check_codes_fit, resolve_affiliation, state_at
from api.matching.services import timed_match
from api.models import Case, InsuranceDenial, Referral, ReferralStatus, Specialist
from reference import zip_centroids
from reference.populations import age_in_years, age_range
from search.backends.base import MatchResult
from search.case import DEFAULT_MAX_DISTANCE_MI, REASONS, SEXES, MatchCase

# Referrals that still stand: sent and not refused, cancelled or finished.
LIVE_REFERRALS = (ReferralStatus.REQUESTED, ReferralStatus.RECEIVED, ReferralStatus.ACCEPTED, ReferralStatus.SCHEDULED)
DENIAL_NOTE = "your plan's denial is on file: ranked as self-pay"
PRIOR_AUTHORIZATION_NOTE = "prior authorisation on file"


def first_physician_exclusions(session: Session, case: Case) -> tuple[set[int], set[int]]:
    """The first physician's specialist id and institution id, when their NPI is in the directory."""
    if not case.first_physician_npi:
        return set(), set()
    row = session.execute(
        select(Specialist.id, Specialist.institution_id).where(Specialist.npi == case.first_physician_npi)
    ).first()
    if row is None:
        return set(), set()
    return {row.id}, {row.institution_id} if row.institution_id is not None else set()


def build_match_case(
    session: Session,
    case: Case,
    *,
    limit: int,
    exclude_specialist_ids: Iterable[int] = (),
    exclude_institution_ids: Iterable[int] = (),
) -> MatchCase:
    """The de-identified case the matcher sees; the first physician and their institution always excluded."""
    specialists, institutions = first_physician_exclusions(session, case)
    institutions |= set(exclude_institution_ids)
    book = plan_cache().current()  # plans, their networks and the institutions: from memory, as POST /v1/matches
    # By name too (as POST /v1/matches does), so every site of an excluded group counts as not independent.
    names = set(book.institutions.names_of(institutions))
    if case.first_physician_institution:
        names.add(case.first_physician_institution)
    zip5 = case.preferred_zip or case.patient_zip
    centroid = zip_centroids.get(zip5)
    point = (centroid[0], centroid[1]) if centroid else None
    denied = session.scalar(select(InsuranceDenial.id).where(InsuranceDenial.case_id == case.id).limit(1)) is not None
    # After a recorded denial the refusing plan no longer decides anything: the case ranks as self-pay.
    plan = book.plans.get(case.plan_id) if case.plan_id and not denied else None
    reason = next((r for r in case.second_opinion_reasons if r in REASONS), "other")
    conditions = tuple((c["system"], c["code"]) for c in case.conditions)
    ages = age_range(age_in_years(case.patient_birth_date, utcnow().date()))  # the birth date stays here
    sex = case.patient_sex if case.patient_sex in SEXES else None
    check_codes_fit(conditions, sex, ages)
    affiliation = resolve_affiliation(book.institutions, institutions, names)
    return MatchCase(
        conditions=conditions,
        specialty=case.specialty,
        age_range=ages,
        sex=sex,
        point=point,
        patient_state=state_at(point, zip5),
        max_distance_mi=float(case.max_distance_mi or DEFAULT_MAX_DISTANCE_MI),
        telehealth_ok=case.telehealth_ok,
        plan_id=plan.id if plan else None,
        plan_name=plan.name if plan else None,
        network_ids=plan.network_ids if plan else frozenset(),
        self_pay=case.self_pay or denied,
        languages=tuple(case.languages),
        coverage_notes=(DENIAL_NOTE,) if denied else (),
        # The plan's approval counts where the plan does: in network, and never after its denial.
        in_network_notes=(PRIOR_AUTHORIZATION_NOTE,) if plan and case.prior_authorization_number else (),
        referred_specialist_ids=frozenset(
            session.scalars(
                select(Referral.specialist_id).where(
                    Referral.case_id == case.id,
                    Referral.status.in_(LIVE_REFERRALS),
                    Referral.specialist_id.is_not(None),
                )
            )
        ),
        exclude_specialist_ids=frozenset(specialists | set(exclude_specialist_ids)),
        exclude_institution_ids=frozenset(institutions),
        exclude_institution_names=tuple(sorted(names)),
        exclude_health_system_ids=affiliation.health_system_ids,
        affiliation_words=affiliation.words,
        reason=reason,
        urgency=case.urgency.value,
        limit=limit,
    )


def match_for_case(
    session: Session,
    case: Case,
    *,
    limit: int,
    exclude_specialist_ids: Iterable[int] = (),
    exclude_institution_ids: Iterable[int] = (),
) -> tuple[MatchCase, MatchResult]:
    """Run the configured search backend on the case."""
    match_case = build_match_case(
        session,
        case,
        limit=limit,
        exclude_specialist_ids=exclude_specialist_ids,
        exclude_institution_ids=exclude_institution_ids,
    )
    return match_case, timed_match(match_case)
