"""Coverage verbs: load a plan's rules and a member's year, check a visit, check many candidates at once."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.auth.services import Identity
from api.case_permissions import authorize_referral
from api.coverage import catalogue
from api.coverage.verdict import CoverageRules, CoverageVerdict, MemberState, Visit, decide
from api.errors import Conflict, DomainError, Invalid, NotFound
from api.models import (
    MemberCoverage,
    NetworkParticipation,
    Plan,
    PlanBenefit,
    PlanNetwork,
    PracticeLocation,
    ReferralStatus,
    Role,
    Specialist,
    SpecialistSpecialty,
)

# A SecondLook referral counts as the plan's referral once it has been sent and not withdrawn.
_LIVE_REFERRAL = frozenset(
    set(ReferralStatus) - {ReferralStatus.DRAFT, ReferralStatus.REJECTED, ReferralStatus.CANCELLED}
)


@dataclass(frozen=True)
class CoverageCheck:
    """A verdict with what it was about."""

    verdict: CoverageVerdict
    plan: Plan
    specialist_id: int
    practice_location_id: int
    service: catalogue.Service
    member: MemberCoverage | None


def rules_for(session: Session, plan_id: int) -> tuple[Plan, CoverageRules]:
    """A plan and its coverage rules as plain data; 404 for an unknown plan, 409 for one without rules."""
    plan = session.get(Plan, plan_id)
    if plan is None:
        raise NotFound(f"No plan {plan_id}.", field="plan_id")
    benefit = session.get(PlanBenefit, plan_id)
    if benefit is None:
        raise Conflict(f"Plan {plan.code} has no coverage rules on file; ask the insurer.")
    networks = frozenset(session.scalars(select(PlanNetwork.network_id).where(PlanNetwork.plan_id == plan_id)))
    return plan, coverage_rules(
        benefit, networks, frozenset((r.taxonomy_code, r.service) for r in benefit.prior_auth_rules)
    )


def coverage_rules(
    benefit: PlanBenefit, network_ids: frozenset[int], prior_auth: frozenset[tuple[str | None, str | None]]
) -> CoverageRules:
    """A plan's benefit row, its networks and prior-authorization rules, as the verdict's plain data."""
    return CoverageRules(
        network_ids=network_ids,
        second_opinion_covered=benefit.second_opinion_covered,
        referral_required=benefit.referral_required,
        copay_cents=benefit.copay_cents,
        coinsurance_pct=benefit.coinsurance_pct,
        deductible_cents=benefit.deductible_cents,
        oop_max_cents=benefit.oop_max_cents,
        out_of_network_covered=benefit.out_of_network_covered,
        oon_coinsurance_pct=benefit.oon_coinsurance_pct,
        oon_deductible_cents=benefit.oon_deductible_cents,
        prior_auth=prior_auth,
    )


def member_coverage(session: Session, identity: Identity, member_coverage_id: int) -> MemberCoverage:
    """A member coverage record of the caller (admins: anyone's), else 404."""
    member = session.get(MemberCoverage, member_coverage_id)
    if member is None or (member.user_id != identity.user_id and identity.role is not Role.ADMIN):
        raise NotFound(f"No member coverage {member_coverage_id} of yours.", field="member_coverage_id")
    return member


def has_live_referral(session: Session, identity: Identity, referral_id: int, specialist_id: int) -> bool:
    """Whether a SecondLook referral the caller is party to sends the case to this specialist."""
    try:
        referral, _ = authorize_referral(session, identity, referral_id, "referral.read", reason="coverage check")
    except DomainError:
        raise NotFound(f"No referral {referral_id} that you can see.", field="referral_id") from None
    return referral.specialist_id == specialist_id and referral.status in _LIVE_REFERRAL


def enrol(
    session: Session, identity: Identity, plan_id: int, plan_year: int, deductible_met_cents: int, oop_met_cents: int
) -> MemberCoverage:
    """Record (or update) the caller's plan for a plan year with what they have paid towards it."""
    rules_for(session, plan_id)
    member = session.scalar(
        select(MemberCoverage).where(
            MemberCoverage.user_id == identity.user_id,
            MemberCoverage.plan_id == plan_id,
            MemberCoverage.plan_year == plan_year,
        )
    )
    if member is None:
        member = MemberCoverage(user_id=identity.user_id, plan_id=plan_id, plan_year=plan_year)
        session.add(member)
    member.deductible_met_cents, member.oop_met_cents = deductible_met_cents, oop_met_cents
    session.flush()
    return member


def check_coverage(session: Session, identity: Identity, data: dict, today: date) -> CoverageCheck:
    """The verdict for one visit: by member coverage (with this year's spending) or by plan alone."""
    member = member_coverage(session, identity, data["member_coverage_id"]) if data.get("member_coverage_id") else None
    plan, rules = rules_for(session, member.plan_id if member else data["plan_id"])
    specialist_id, service = data["specialist_id"], catalogue.get(data["service"])
    assert service is not None, "the schema accepts catalogue codes only"
    if session.get(Specialist, specialist_id) is None:
        raise NotFound(f"No specialist {specialist_id}.", field="specialist_id")
    pl_id = data.get("practice_location_id") or session.scalar(
        select(PracticeLocation.id).where(PracticeLocation.specialist_id == specialist_id).order_by(PracticeLocation.id)
    )
    visits = _visits(session, [(specialist_id, pl_id)], service) if pl_id is not None else {}
    if pl_id is None or (specialist_id, pl_id) not in visits:
        raise NotFound(
            f"Specialist {specialist_id} does not practise at location {pl_id}.", field="practice_location_id"
        )
    referral = (
        has_live_referral(session, identity, data["referral_id"], specialist_id)
        if data.get("referral_id")
        else bool(data.get("referral_number"))
    )
    visit = visits[(specialist_id, pl_id)]
    visit = Visit(
        visit.location_network_ids,
        visit.specialties,
        visit.service,
        visit.allowed_cents,
        visit.self_pay_price_cents,
        referral,
        bool(data.get("prior_authorization_number")),
    )
    spent = (
        MemberState(member.deductible_met_cents, member.oop_met_cents)
        if member and member.plan_year == today.year
        else MemberState()
    )
    return CoverageCheck(decide(rules, spent, visit), plan, specialist_id, pl_id, service, member)


def check_candidates(
    session: Session,
    rules: CoverageRules,
    candidates: Iterable[tuple[int, int]],
    service_code: str = catalogue.DEFAULT_SERVICE,
) -> dict[tuple[int, int], CoverageVerdict]:
    """Verdicts for many (specialist, practice location) pairs under one plan's rules (the plan cache's): the
    places alone are read, in three queries.

    Without a member record nothing counts as met yet, and no referral or authorization is on file.
    """
    service = catalogue.get(service_code)
    if service is None:
        raise Invalid(f"Unknown service {service_code!r}.", field="service")
    visits = _visits(session, list(candidates), service)
    return {pair: decide(rules, MemberState(), visit) for pair, visit in visits.items()}


def _visits(session: Session, pairs: list[tuple[int, int]], service: catalogue.Service) -> dict[tuple[int, int], Visit]:
    """A Visit per (specialist, practice location) pair that exists, loaded in batches."""
    pl_ids, specialist_ids = {pl for _, pl in pairs if pl}, {s for s, _ in pairs}
    if not pl_ids:
        return {}
    owner = dict(
        session.execute(
            select(PracticeLocation.id, PracticeLocation.specialist_id).where(PracticeLocation.id.in_(pl_ids))
        ).all()
    )
    networks: dict[int, set[int]] = defaultdict(set)
    for pl_id, network_id in session.execute(
        select(NetworkParticipation.practice_location_id, NetworkParticipation.network_id).where(
            NetworkParticipation.practice_location_id.in_(pl_ids)
        )
    ):
        networks[pl_id].add(network_id)
    specialties: dict[int, set[str]] = defaultdict(set)
    for sid, code in session.execute(
        select(SpecialistSpecialty.specialist_id, SpecialistSpecialty.taxonomy_code).where(
            SpecialistSpecialty.specialist_id.in_(specialist_ids)
        )
    ):
        specialties[sid].add(code)
    prices = dict(
        session.execute(
            select(Specialist.id, Specialist.self_pay_price_cents).where(Specialist.id.in_(specialist_ids))
        ).all()
    )
    return {
        (sid, pl): Visit(
            frozenset(networks[pl]), frozenset(specialties[sid]), service.code, service.allowed_cents, prices.get(sid)
        )
        for sid, pl in pairs
        if owner.get(pl) == sid
    }
