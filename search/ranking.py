"""THE ranking: score qualifying documents, keep each specialist's best location, order deterministically."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field

from search import scoring
from search.case import MatchCase
from search.explain import reasons_for

EMERGENT_WARNING = (
    "If this may be an emergency, call 911 or go to the nearest emergency department now. "
    "Do not delay treatment to wait for a second opinion."
)
SCORE_DP = 6  # scores are compared and reported at this precision, so both backends agree exactly


@dataclass(frozen=True)
class RankedCandidate:
    """One specialist in the answer, at their best location for this case."""

    specialist_id: int
    practice_location_id: int
    score: float
    score_breakdown: dict[str, float]  # weighted points per component; they sum to `score`
    components: dict[str, float]  # each component's raw value in [0, 1]
    reasons: list[str]
    coverage_status: str
    distance_mi: float | None
    document: dict = field(repr=False)
    standing: int = 0  # scoring.standing: -1 reviews the diagnosis only .. 2 an expert; sorted first

    def sort_key(self) -> tuple:
        """Standing first, then score, then nearer, then lower specialist id: no two candidates tie."""
        return (
            -self.standing,
            -self.score,
            math.inf if self.distance_mi is None else self.distance_mi,
            self.specialist_id,
        )


def score_document(case: MatchCase, doc: dict, weights: dict[str, float] | None = None) -> RankedCandidate:
    """Score one qualifying document and explain the score."""
    weights = weights or scoring.weights_for(case)
    distance = scoring.doc_distance(case, doc)
    levels = scoring.condition_levels(case, doc) if case.conditions else []
    status = scoring.coverage_status(case, doc)
    components = {
        "expertise": scoring.expertise(case, doc, levels),
        "coverage": scoring.COVERAGE[status],
        "distance": scoring.distance_score(case, doc, distance),
        "availability": scoring.availability(case, doc),
        "quality": scoring.quality(doc),
        "independence": scoring.independence(case, doc),
    }
    points = {name: weights[name] * components[name] for name in scoring.COMPONENTS}
    total = 0.0
    for name in scoring.COMPONENTS:  # a fixed order keeps the float sum identical everywhere
        total += points[name]
    return RankedCandidate(
        specialist_id=doc["specialist_id"],
        practice_location_id=doc["practice_location_id"],
        score=round(total, SCORE_DP),
        score_breakdown={name: round(value, SCORE_DP) for name, value in points.items()},
        components={name: round(value, SCORE_DP) for name, value in components.items()},
        reasons=reasons_for(case, doc, levels, status, distance),
        coverage_status=status,
        distance_mi=None if distance is None else round(distance, SCORE_DP),
        document=doc,
        standing=scoring.standing(case, doc),
    )


def rank(case: MatchCase, candidates: Iterable[dict], limit: int | None = None) -> list[RankedCandidate]:
    """Score candidates that passed the hard constraints; best location per specialist; top `limit`."""
    weights = scoring.weights_for(case)
    best: dict[int, RankedCandidate] = {}
    for doc in candidates:
        ranked = score_document(case, doc, weights)
        held = best.get(ranked.specialist_id)
        if held is None or _location_key(ranked) < _location_key(held):
            best[ranked.specialist_id] = ranked
    ordered = sorted(best.values(), key=RankedCandidate.sort_key)
    return ordered[: case.limit if limit is None else limit]


def _location_key(ranked: RankedCandidate) -> tuple:
    # A specialist's best location: highest score, then nearest, then lowest location id.
    return (*ranked.sort_key()[:3], ranked.practice_location_id)


def warnings_for(case: MatchCase) -> list[str]:
    """Warnings the answer must carry whatever the candidates (an emergent case: do not wait)."""
    return [EMERGENT_WARNING] if case.urgency == "emergent" else []
