"""A match result as the API shows it: specialist summary, best location, score and reasons."""

from __future__ import annotations

from api.coverage.plan_cache import plan_cache
from api.coverage.present import attach_coverage
from reference import nucc
from search.backends.base import MatchResult
from search.case import MatchCase
from search.ranking import RankedCandidate


def match_response(case: MatchCase, result: MatchResult) -> dict:
    """The body of a match answer (shared by POST /v1/matches and case matching)."""
    candidates = [candidate_view(c) for c in result.candidates]
    if case.plan_id is not None:  # the coverage verdict per candidate (issue 5), from the plan cache
        plan = plan_cache().plan(case.plan_id)
        attach_coverage(plan.rules if plan else None, candidates)
    return {
        "candidates": candidates,
        "total": result.total,
        "took_ms": result.took_ms,
        "warnings": list(result.warnings),
    }


def candidate_view(candidate: RankedCandidate) -> dict:
    """One ranked specialist, from its index document (public directory data only)."""
    doc = candidate.document
    return {
        "specialist": {
            "id": doc["specialist_id"],
            "npi": doc["npi"],
            "display_name": doc["display_name"],
            "primary_specialty": _specialty(doc["primary_specialty"]) if doc["primary_specialty"] else None,
            "specialties": [_specialty(code) for code in doc["specialties"]],
            "institution": (
                {"id": doc["institution_id"], "name": doc["institution_name"], "kind": doc["institution_kind"]}
                if doc["institution_id"] is not None
                else None
            ),
            "languages": doc["languages"],
            "telehealth": doc["telehealth"],
            "self_pay_price_cents": doc["self_pay_price_cents"],
            "rating": doc["rating"],
            "review_count": doc["review_count"],
            "last_verified": doc["last_verified"],
        },
        "location": {
            "practice_location_id": doc["practice_location_id"],
            "city": doc["city"],
            "state": doc["state"],
            "zip": doc["zip"],
            "lat": doc["location"]["lat"],
            "lon": doc["location"]["lon"],
            "distance_mi": None if candidate.distance_mi is None else round(candidate.distance_mi, 1),
            "network_ids": doc["network_ids"],
            "next_available": doc.get("next_available"),
        },
        "score": candidate.score,
        "score_breakdown": candidate.score_breakdown,
        "reasons": candidate.reasons,
        "coverage_status": candidate.coverage_status,
    }


def _specialty(code: str) -> dict:
    taxonomy = nucc.get(code)
    return {"code": code, "display": taxonomy.display if taxonomy else code}
