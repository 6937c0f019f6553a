"""The coverage verdict: a pure function of a plan's rules, the member's year so far and the visit."""

from __future__ import annotations

from dataclasses import dataclass

COVERED, NEEDS_REFERRAL, NEEDS_PRIOR_AUTH = "covered", "needs_referral", "needs_prior_authorization"
OUT_OF_NETWORK, NOT_COVERED = "out_of_network", "not_covered"
VERDICTS = (COVERED, NEEDS_REFERRAL, NEEDS_PRIOR_AUTH, OUT_OF_NETWORK, NOT_COVERED)
ACTIONS = ("book", "get_referral", "request_prior_authorization", "self_pay", "contact_specialist")


@dataclass(frozen=True)
class CoverageRules:
    """A plan's benefit for a specialist visit, as plain data."""

    network_ids: frozenset[int]
    second_opinion_covered: bool = True
    referral_required: bool = False
    copay_cents: int | None = None
    coinsurance_pct: int = 20
    deductible_cents: int = 0
    oop_max_cents: int | None = None
    out_of_network_covered: bool = False
    oon_coinsurance_pct: int = 40
    oon_deductible_cents: int = 0
    prior_auth: frozenset[tuple[str | None, str | None]] = frozenset()  # (NUCC code, service)


@dataclass(frozen=True)
class MemberState:
    """What the member has paid towards this plan year's deductible and out-of-pocket maximum."""

    deductible_met_cents: int = 0
    oop_met_cents: int = 0


@dataclass(frozen=True)
class Visit:
    """The visit being checked: where, for what, and what the patient already has on file."""

    location_network_ids: frozenset[int]
    specialties: frozenset[str]
    service: str
    allowed_cents: int
    self_pay_price_cents: int | None
    has_referral: bool = False
    has_prior_authorization: bool = False


@dataclass(frozen=True)
class CostBreakdown:
    """The patient's estimated share of one visit, in integer cents, and how it was reached."""

    basis: str  # in_network | out_of_network | self_pay
    allowed_cents: int
    deductible_cents: int = 0
    copay_cents: int = 0
    coinsurance_cents: int = 0
    balance_billing_cents: int = 0
    oop_cap_savings_cents: int = 0
    patient_cents: int = 0
    plan_cents: int = 0


@dataclass(frozen=True)
class NextStep:
    """What the patient should do now."""

    action: str  # one of ACTIONS
    detail: str
    self_pay_price_cents: int | None = None


@dataclass(frozen=True)
class CoverageVerdict:
    """The answer of a coverage check."""

    verdict: str
    in_network: bool
    estimate: CostBreakdown | None
    next_step: NextStep
    reasons: tuple[str, ...]


def share(amount_cents: int, pct: int) -> int:
    """`pct` percent of an amount, rounded half up to a whole cent (integer arithmetic only)."""
    return (amount_cents * pct + 50) // 100


def in_network_cost(rules: CoverageRules, member: MemberState, allowed: int) -> CostBreakdown:
    """Copay, or deductible then coinsurance, capped by what is left of the out-of-pocket maximum."""
    deductible = copay = coinsurance = 0
    if rules.copay_cents is not None:
        copay = min(rules.copay_cents, allowed)
    else:
        deductible = min(allowed, max(0, rules.deductible_cents - member.deductible_met_cents))
        coinsurance = share(allowed - deductible, rules.coinsurance_pct)
    owed = deductible + copay + coinsurance
    patient = owed if rules.oop_max_cents is None else min(owed, max(0, rules.oop_max_cents - member.oop_met_cents))
    return CostBreakdown(
        "in_network", allowed, deductible, copay, coinsurance, 0, owed - patient, patient, allowed - patient
    )


def out_of_network_cost(rules: CoverageRules, member: MemberState, allowed: int, charge: int) -> CostBreakdown:
    """Out-of-network deductible and coinsurance on the allowed amount, plus the balance bill above it."""
    deductible = min(allowed, max(0, rules.oon_deductible_cents - member.deductible_met_cents))
    coinsurance = share(allowed - deductible, rules.oon_coinsurance_pct)
    balance = max(0, charge - allowed)
    patient = deductible + coinsurance + balance
    return CostBreakdown(
        "out_of_network", allowed, deductible, 0, coinsurance, balance, 0, patient, allowed - deductible - coinsurance
    )


def self_pay_cost(price: int | None) -> CostBreakdown | None:
    """The whole price, paid by the patient; None when the specialist lists no self-pay price."""
    return None if price is None else CostBreakdown("self_pay", price, patient_cents=price)


def needs_prior_authorization(rules: CoverageRules, visit: Visit) -> bool:
    """True when a rule names one of the visit's specialties, its service, or that pair."""
    return any(
        (code is None or code in visit.specialties) and (service is None or service == visit.service)
        for code, service in rules.prior_auth
    )


def decide(rules: CoverageRules, member: MemberState, visit: Visit) -> CoverageVerdict:
    """Covered, or what stands in the way, with the estimated patient cost and the next step."""
    in_network = bool(rules.network_ids & visit.location_network_ids)
    price = visit.self_pay_price_cents
    self_pay = _self_pay_step(price)
    if not rules.second_opinion_covered:
        return CoverageVerdict(
            NOT_COVERED,
            in_network,
            self_pay_cost(price),
            self_pay,
            ("The plan does not cover second-opinion consultations.",),
        )
    if not in_network:
        return _out_of_network(rules, member, visit, self_pay)
    estimate = in_network_cost(rules, member, visit.allowed_cents)
    reasons: list[str] = []
    if rules.referral_required and not visit.has_referral:
        reasons.append("The plan requires a referral from your primary care physician.")
    if needs_prior_authorization(rules, visit) and not visit.has_prior_authorization:
        reasons.append("The plan requires prior authorization for this specialty or service.")
    if reasons and rules.referral_required and not visit.has_referral:
        return CoverageVerdict(
            NEEDS_REFERRAL,
            True,
            estimate,
            NextStep(
                "get_referral",
                "Ask your primary care physician for a referral to this specialist; "
                "the estimate applies once the plan has it.",
                price,
            ),
            tuple(reasons),
        )
    if reasons:
        return CoverageVerdict(
            NEEDS_PRIOR_AUTH,
            True,
            estimate,
            NextStep(
                "request_prior_authorization",
                "Ask the specialist's office or your physician to request prior "
                "authorization from the plan; the estimate applies once it is approved.",
                price,
            ),
            tuple(reasons),
        )
    return CoverageVerdict(
        COVERED,
        True,
        estimate,
        NextStep("book", "Covered in network: book a consultation; you pay the estimated share.", price),
        ("In network; the plan covers second opinions.",),
    )


def _out_of_network(rules: CoverageRules, member: MemberState, visit: Visit, self_pay: NextStep) -> CoverageVerdict:
    price = visit.self_pay_price_cents
    if not rules.out_of_network_covered:
        return CoverageVerdict(
            OUT_OF_NETWORK,
            False,
            self_pay_cost(price),
            self_pay,
            ("Not in the plan's networks here, and the plan has no out-of-network benefits.",),
        )
    estimate = out_of_network_cost(rules, member, visit.allowed_cents, price or visit.allowed_cents)
    reasons = ("Not in the plan's networks here; out-of-network benefits apply at a higher share.",)
    if price is not None and price < estimate.patient_cents:
        return CoverageVerdict(OUT_OF_NETWORK, False, estimate, self_pay, reasons)
    return CoverageVerdict(
        OUT_OF_NETWORK,
        False,
        estimate,
        NextStep("book", "Book using your out-of-network benefits; you pay the estimated share.", price),
        reasons,
    )


def _self_pay_step(price: int | None) -> NextStep:
    if price is None:
        return NextStep("contact_specialist", "This specialist lists no self-pay price; ask their office.")
    return NextStep("self_pay", f"Pay for the consultation yourself: ${price // 100:,}.{price % 100:02d}.", price)
