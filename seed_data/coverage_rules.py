"""Coverage rules for the seeded plans: deterministic from each plan's type and code.

The numbers follow the shape of US plans (HMO and POS need referrals and charge copays, PPO and
POS pay out of network, Medicare Advantage caps out-of-pocket spending), not any real plan.
"""

from __future__ import annotations

import zlib

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.models import Plan, PlanType
from api.models.coverage import PlanBenefit, PriorAuthRule
from reference import nucc

# Per plan type: referral, copay, coinsurance %, deductible, out-of-pocket max, out-of-network %.
_TEMPLATES: dict[PlanType, dict] = {
    PlanType.HMO: dict(
        referral_required=True,
        copay_cents=5_000,
        coinsurance_pct=0,
        deductible_cents=0,
        oop_max_cents=700_000,
        out_of_network_covered=False,
    ),
    PlanType.POS: dict(
        referral_required=True,
        copay_cents=6_000,
        coinsurance_pct=0,
        deductible_cents=100_000,
        oop_max_cents=800_000,
        out_of_network_covered=True,
        oon_coinsurance_pct=40,
        oon_deductible_cents=300_000,
    ),
    PlanType.PPO: dict(
        referral_required=False,
        copay_cents=None,
        coinsurance_pct=20,
        deductible_cents=150_000,
        oop_max_cents=750_000,
        out_of_network_covered=True,
        oon_coinsurance_pct=40,
        oon_deductible_cents=300_000,
    ),
    PlanType.EPO: dict(
        referral_required=False,
        copay_cents=None,
        coinsurance_pct=20,
        deductible_cents=200_000,
        oop_max_cents=800_000,
        out_of_network_covered=False,
    ),
    PlanType.MEDICARE_ADVANTAGE: dict(
        referral_required=True,
        copay_cents=4_500,
        coinsurance_pct=0,
        deductible_cents=0,
        oop_max_cents=550_000,
        out_of_network_covered=False,
    ),
    PlanType.MEDICAID: dict(
        referral_required=True,
        copay_cents=400,
        coinsurance_pct=0,
        deductible_cents=0,
        oop_max_cents=None,
        out_of_network_covered=False,
    ),
}
_TRANSPLANT = ("207RA0001X", "207RT0003X", "204F00000X")


def benefit_for(plan: Plan) -> tuple[PlanBenefit, list[PriorAuthRule]]:
    """The benefit and prior-authorization rules a seeded plan gets (same plan code, same rules)."""
    tier = zlib.crc32(plan.code.encode()) % 10
    terms = dict(_TEMPLATES[plan.plan_type])
    if terms["deductible_cents"]:
        terms["deductible_cents"] += 50_000 * (tier % 3)  # three deductible levels per type
    # One plan in ten leaves second opinions out, so every verdict occurs in a seeded directory.
    benefit = PlanBenefit(plan_id=plan.id, second_opinion_covered=tier != 7, **terms)
    rules: list[tuple[str | None, str | None]] = [(code, None) for code in _TRANSPLANT if nucc.is_known(code)]
    if plan.plan_type in (PlanType.HMO, PlanType.MEDICARE_ADVANTAGE, PlanType.MEDICAID):
        rules.append((None, "complex_consultation"))
    if tier in (2, 5):  # some plans manage oncology second opinions through prior authorization
        rules += [(t.code, None) for t in nucc.by_family("oncology")]
    return benefit, [PriorAuthRule(plan_id=plan.id, taxonomy_code=c, service=s) for c, s in rules]


def ensure_coverage_rules(session: Session) -> int:
    """Give every plan without coverage rules its seeded rules; returns how many plans got them."""
    covered = select(PlanBenefit.plan_id)
    plans = session.scalars(select(Plan).where(Plan.id.not_in(covered)).order_by(Plan.id)).all()
    for plan in plans:
        benefit, rules = benefit_for(plan)
        session.add(benefit)
        session.flush()
        session.add_all(rules)
    session.flush()
    return len(plans)
