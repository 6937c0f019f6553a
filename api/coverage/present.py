"""Coverage verdicts and rules as plain dicts for the response schemas."""

from __future__ import annotations

import dataclasses

from api.coverage.services import CoverageCheck, check_candidates
from api.coverage.verdict import CoverageRules, CoverageVerdict
from api.db import db
from api.errors import DomainError

DISCLAIMER = (
    "An estimate from the plan's published rules and what you told us you have paid this year; "
    "the insurer decides the claim."
)


def verdict_view(verdict: CoverageVerdict) -> dict:
    """A verdict, its estimate and next step."""
    return {
        "verdict": verdict.verdict,
        "in_network": verdict.in_network,
        "estimate": dataclasses.asdict(verdict.estimate) if verdict.estimate else None,
        "next_step": dataclasses.asdict(verdict.next_step),
        "reasons": list(verdict.reasons),
    }


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


def attach_coverage(plan_id: int, candidates: list[dict]) -> None:
    """Give each match candidate (as `candidate_view` shows it) the coverage verdict under the plan.

    A plan without coverage rules leaves `coverage` null rather than failing the match.
    """
    pairs = [(c["specialist"]["id"], c["location"]["practice_location_id"]) for c in candidates]
    try:
        verdicts = check_candidates(db.session, plan_id, pairs)
    except DomainError:
        verdicts = {}
    for candidate, pair in zip(candidates, pairs, strict=True):
        candidate["coverage"] = verdict_view(verdicts[pair]) if pair in verdicts else None
