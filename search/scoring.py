"""The score components of the one ranking, as scalar functions of a case and one index document.

Every component is a number in [0, 1]; the score is their weighted sum (weights in `weights_for`).
The embedded backend evaluates the same formulas with numpy to narrow candidates, then calls
`search.ranking.rank`, which uses these functions, for the final order.
"""

from __future__ import annotations

import math
import re
from datetime import datetime
from functools import lru_cache

from reference.earth import distance_mi
from search.case import MatchCase, normalise_institution_name

COMPONENTS = ("expertise", "coverage", "distance", "availability", "quality", "independence")
BASE_WEIGHTS = {
    "expertise": 0.40,
    "coverage": 0.20,
    "distance": 0.15,
    "availability": 0.10,
    "quality": 0.10,
    "independence": 0.05,
}
# Why a second opinion is sought shifts what matters: a rare disease wants the expert wherever
# they are; a patient who felt dismissed wants distance from the first doctor's group.
REASON_SHIFTS = {
    "rare_condition": {"expertise": +0.10, "distance": -0.05},
    "experimental_or_trial": {"expertise": +0.10, "distance": -0.05},
    "unclear_diagnosis": {"expertise": +0.05},
    "high_risk_treatment": {"expertise": +0.05, "quality": +0.05},
    "treatment_not_working": {"expertise": +0.05},
    "feel_dismissed": {"independence": +0.10},
    "other": {},
}
URGENCY_AVAILABILITY = {"routine": 0.10, "soon": 0.20, "emergent": 0.35}
# Days over which availability decays to 1/e: an emergent case cannot wait a fortnight.
URGENCY_DAYS = {"routine": 21.0, "soon": 7.0, "emergent": 3.0}
# Unknown availability counts as a typical wait: about neutral for a routine case, poor for an
# emergent one, so a known slot tomorrow beats an unknown one when it matters.
UNKNOWN_WAIT_DAYS = 14.0

EXACT_BASE, EXACT_SPAN = 0.70, 0.30  # holds the very code: 0.70 .. 1.00 by evidence
GROUP_BASE, GROUP_SPAN = 0.40, 0.20  # holds a code in the same ICD category / Orphanet group
SPECIALTY_PRIMARY, SPECIALTY_SECONDARY = 0.25, 0.20  # a specialty that treats it, nothing more
NAMED_SPECIALTY_PRIMARY, NAMED_SPECIALTY_SECONDARY = 1.0, 0.8  # case names a specialty, no condition
CASES_FULL, PUBLICATIONS_FULL = 100, 30  # evidence saturates here

COVERAGE = {"in_network": 1.0, "self_pay": 1.0, "out_of_network_self_pay": 0.3, "unknown": 0.5}

DISTANCE_SCALE_MI = 60.0  # exp(-d / scale): 12 mi -> 0.82, 60 mi -> 0.37
TELEHEALTH_FLOOR = 0.6  # a telehealth visit is as good as an in-person one about 30 mi away
NEUTRAL = 0.5  # an unknown component neither helps nor hurts

RATING_PRIOR_MEAN, RATING_PRIOR_REVIEWS = 4.2, 10.0

AFFILIATED = 0.3  # same health system as an excluded institution: not independent
NAME_HINT = 0.7  # shares a word rare across the directory with an excluded institution's name: maybe related
# For reasons in search.case.EXPERTISE_FIRST_REASONS a holder of the condition code (or its parent)
# outranks every specialty-only match: `rank` sorts by standing first (`standing`). The vectorised
# pre-scores add this bonus per tier so that retrieval (embedded shortlist, Elasticsearch's fetch)
# keeps the same tiers first: experts, primary treaters, secondary treaters, then those who only
# review the diagnosis of a treatment question.
STANDING_BONUS = 2.0
_GENERIC_WORDS = frozenset(
    [
        "the",
        "of",
        "and",
        "at",
        "for",
        "a",
        "an",
        "in",
        "on",
        "saint",
        "st",
        "university",
        "univ",
        "college",
        "hospital",
        "hospitals",
        "medical",
        "medicine",
        "center",
        "centre",
        "centers",
        "clinic",
        "clinics",
        "health",
        "healthcare",
        "system",
        "systems",
        "group",
        "practice",
        "associates",
        "physicians",
        "partners",
        "institute",
        "care",
        "network",
        "community",
        "regional",
        "general",
        "memorial",
        "specialty",
        "specialists",
        "school",
        "faculty",
        "department",
        "dept",
        "inc",
        "llc",
        "pc",
        "pa",
        "md",
        "synthetic",
        "academic",
        "teaching",
        "campus",
        "main",
        "outpatient",
        "multispecialty",
    ]
)
_WORD = re.compile(r"[a-z0-9]+")


def weights_for(case: MatchCase) -> dict[str, float]:
    """Component weights for a case: base, shifted by reason and urgency, normalised to sum 1."""
    raw = dict(BASE_WEIGHTS)
    for name, delta in REASON_SHIFTS[case.reason].items():
        raw[name] += delta
    raw["availability"] = URGENCY_AVAILABILITY[case.urgency]
    total = sum(raw.values())
    return {name: raw[name] / total for name in COMPONENTS}


def evidence(cases_per_year: int, publications: int, center_of_expertise: bool) -> float:
    """How strongly a held condition code is backed: case volume, publications, designated centre."""
    cases = min(1.0, math.log1p(cases_per_year) / math.log1p(CASES_FULL))
    pubs = min(1.0, math.log1p(publications) / math.log1p(PUBLICATIONS_FULL))
    return 0.6 * cases + 0.25 * pubs + 0.15 * (1.0 if center_of_expertise else 0.0)


def specialty_level(case: MatchCase, doc: dict) -> float:
    """Credit for holding a specialty that treats the case (primary counts more)."""
    if doc["primary_specialty"] in case.treating_specialties:
        return SPECIALTY_PRIMARY
    if any(code in case.treating_specialties for code in doc["specialties"]):
        return SPECIALTY_SECONDARY
    return 0.0


def condition_levels(case: MatchCase, doc: dict) -> list[tuple[float, str, dict | None]]:
    """Per case condition: (level, kind 'exact'|'group'|'specialty'|'none', the doc condition used)."""
    spec = specialty_level(case, doc)
    out = []
    for key, group in zip(case.condition_keys, case.condition_groups, strict=True):
        best: tuple[float, str, dict | None] = (spec, "specialty" if spec else "none", None)
        for held in doc["conditions"]:
            ev = evidence(held["cases_per_year"], held["publications"], held["center_of_expertise"])
            if held["key"] == key:
                level, kind = EXACT_BASE + EXACT_SPAN * ev, "exact"
            elif group and held["group"] == group:
                level, kind = GROUP_BASE + GROUP_SPAN * ev, "group"
            else:
                continue
            if level > best[0]:
                best = (level, kind, held)
        out.append(best)
    return out


def expertise(case: MatchCase, doc: dict, levels: list | None = None) -> float:
    """Mean over the case's conditions of the best expertise level; named specialty if no condition."""
    if not case.conditions:
        if doc["primary_specialty"] == case.specialty:
            return NAMED_SPECIALTY_PRIMARY
        return NAMED_SPECIALTY_SECONDARY if case.specialty in doc["specialties"] else 0.0
    levels = condition_levels(case, doc) if levels is None else levels
    return sum(level for level, _, _ in levels) / len(levels)


def coverage_status(case: MatchCase, doc: dict) -> str:
    """'in_network', 'out_of_network_self_pay', 'self_pay' or 'unknown' (no plan, not self-pay)."""
    if case.has_plan:
        return "in_network" if case.network_ids.intersection(doc["network_ids"]) else "out_of_network_self_pay"
    return "self_pay" if case.self_pay else "unknown"


def doc_distance(case: MatchCase, doc: dict) -> float | None:
    """Miles from the case's point to the document's location, or None without a point."""
    if case.point is None:
        return None
    return distance_mi(case.point[0], case.point[1], doc["location"]["lat"], doc["location"]["lon"])


def telehealth_reachable(case: MatchCase, doc: dict) -> bool:
    """The specialist offers telehealth and may practise it for this patient (licensed in their state)."""
    if not doc["telehealth"]:
        return False
    return case.patient_state is None or case.patient_state in doc.get("licensed_states", ())


def distance_score(case: MatchCase, doc: dict, distance_mi: float | None) -> float:
    """Exponential decay with distance; a telehealth visit, when welcome and licensed, keeps a floor."""
    if distance_mi is None:
        return NEUTRAL
    decay = math.exp(-distance_mi / DISTANCE_SCALE_MI)
    return max(decay, TELEHEALTH_FLOOR) if case.telehealth_ok and telehealth_reachable(case, doc) else decay


def is_expert(case: MatchCase, doc: dict) -> bool:
    """Holds one of the case's condition codes or a parent of one."""
    return not case.expert_keys.isdisjoint(doc["condition_keys"])


def is_primary_treater(case: MatchCase, doc: dict) -> bool:
    """Qualifies by a primary treating specialty or a case code or group, not only as a secondary treater."""
    if not case.secondary_specialties or not case.primary_treaters.isdisjoint(doc["specialties"]):
        return True
    return not (
        set(case.condition_keys).isdisjoint(doc["condition_keys"])
        and case.group_keys.isdisjoint(doc["condition_groups"])
    )


def reads_only(case: MatchCase, doc: dict) -> bool:
    """A pathologist or diagnostic imager (by primary specialty) who holds no other specialty that
    treats the case, on a case whose reason asks about treatment (`MatchCase.reading_specialties`)."""
    return doc["primary_specialty"] in case.reading_specialties and case.treaters_besides_readers.isdisjoint(
        doc["specialties"]
    )


def treats_only(case: MatchCase, doc: dict) -> bool:
    """A specialist whose primary specialty only treats a diagnosis already made (radiation oncology),
    on a case whose diagnosis is in doubt (`MatchCase.treatment_only_specialties`)."""
    return doc["primary_specialty"] in case.treatment_only_specialties


def standing(case: MatchCase, doc: dict) -> int:
    """`rank` sorts by this before the score: 2 an expert when the reason puts expertise first,
    1 a primary treater (or holder of a case code or group), 0 a secondary treater only (and, for an
    unclear diagnosis, one whose practice only treats, whatever they hold), -1 a specialist who
    reviews the diagnosis when the question is about treatment, whatever they hold."""
    if reads_only(case, doc):
        return -1
    if treats_only(case, doc):
        return 0
    if case.expertise_first and is_expert(case, doc):
        return 2
    return int(is_primary_treater(case, doc))


def availability(case: MatchCase, doc: dict) -> float:
    """Sooner is better, on a clock set by urgency; unknown availability counts as a typical wait."""
    days = days_until_available(case.now, doc.get("next_available"))
    return math.exp(-(UNKNOWN_WAIT_DAYS if days is None else days) / URGENCY_DAYS[case.urgency])


def days_until_available(now: datetime, next_available: str | None) -> float | None:
    """Days from `now` to an ISO-8601 slot (0 if already open), or None when unknown."""
    if not next_available:
        return None
    slot = datetime.fromisoformat(next_available)
    return max(0.0, (slot - now).total_seconds() / 86400.0)


def shrunk_rating(rating: float | None, review_count: int) -> float:
    """The rating pulled toward the directory mean, the more so the fewer reviews back it."""
    if rating is None or review_count <= 0:
        return RATING_PRIOR_MEAN
    return (RATING_PRIOR_MEAN * RATING_PRIOR_REVIEWS + rating * review_count) / (RATING_PRIOR_REVIEWS + review_count)


def quality(doc: dict) -> float:
    """Shrunk rating on a 0..1 scale."""
    return shrunk_rating(doc["rating"], doc["review_count"]) / 5.0


@lru_cache(maxsize=8192)
def distinctive_words(name: str | None) -> frozenset[str]:
    """The words of an institution name that may identify it ("mayo" in "Mayo Clinic Health System").

    Generic words are dropped here; whether a word is rare enough to hint at a relation is decided
    against the whole directory (`api.matching.affiliation`)."""
    return frozenset(w for w in _WORD.findall(normalise_institution_name(name)) if w not in _GENERIC_WORDS)


def independence(case: MatchCase, doc: dict) -> float:
    """1 unless affiliated with an institution the patient excluded: same health system (by identity),
    or, as a weaker hint, a name sharing a word that is rare across the directory."""
    if doc.get("health_system_id") is not None and doc["health_system_id"] in case.exclude_health_system_ids:
        return AFFILIATED
    if case.affiliation_words and not case.affiliation_words.isdisjoint(distinctive_words(doc["institution_name"])):
        return NAME_HINT
    return 1.0
