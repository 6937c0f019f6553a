"""Coverage verdicts and rules as plain dicts for the response schemas."""

from __future__ import annotations

import dataclasses

from api.coverage import catalogue
from api.coverage.services import CoverageCheck
from api.coverage.verdict import CoverageRules, CoverageVerdict, MemberState, Visit, decide

DISCLAIMER = (
    "An estimate from the plan's published rules and what you told us you have paid this year; "
    "the insurer decides the claim."
)


def verdict_view(verdict: CoverageVerdict) -> dict:
    """A verdict, its estimate and next step."""
    return {
        "verdict": verdict.verdict,
        "in_network": verdict.in_network,
        "estimate": _flat(verdict.estimate) if verdict.estimate else None,
        "next_step": _flat(verdict.next_step),
        "reasons": list(verdict.reasons),
    }


def _flat(record) -> dict:
    """A dataclass of plain fields as a dict: `dataclasses.asdict` without its deep copy, which cost a
    tenth of a match's CPU once every candidate carries a verdict."""
    return dict(vars(record))


def check_view(check: CoverageCheck) -> dict:
    """The answer of a coverage check."""
    member = check.member
    return {
        **verdict_view(check.verdict),
        "plan": {"id": check.plan.id, "name": check.plan.name, "plan_type": check.plan.plan_type.value},
        "specialist_id": check.specialist_id,
        "practice_location_id": check.practice_location_id,
        "service": {"code": check.service.code, "display": check.service.display, "cpt": check.service.cpt},
        "member": None
        if member is None
        else {
            "id": member.id,
            "plan_year": member.plan_year,
            "deductible_met_cents": member.deductible_met_cents,
            "oop_met_cents": member.oop_met_cents,
        },
        "disclaimer": DISCLAIMER,
    }


def rules_view(plan, rules: CoverageRules) -> dict:
    """A plan's rules."""
    view = dataclasses.asdict(rules)
    view["network_ids"] = sorted(rules.network_ids)
    view["prior_authorization"] = [
        {"specialty": code, "service": service} for code, service in sorted(view.pop("prior_auth"), key=str)
    ]
    return {"plan_id": plan.id, "plan_type": plan.plan_type.value, **view}


def attach_coverage(rules: CoverageRules | None, candidates: list[dict]) -> None:
    """Give each match candidate (as `candidate_view` shows it) its coverage verdict under the plan's rules.

    The visit is read from the candidate itself (its location's networks, its specialties and
    self-pay price, all from the index document), so this reads no database. A plan without
    coverage rules (None) leaves `coverage` null rather than failing the match.
    """
    for candidate in candidates:
        candidate["coverage"] = None if rules is None else verdict_view(decide(rules, MemberState(), _visit(candidate)))


def _visit(candidate: dict) -> Visit:
    """The default service at the candidate's location, with nothing on file yet."""
    specialist, location, service = candidate["specialist"], candidate["location"], catalogue.default()
    return Visit(
        frozenset(location["network_ids"]),
        frozenset(s["code"] for s in specialist["specialties"]),
        service.code,
        service.allowed_cents,
        specialist["self_pay_price_cents"],
    )
