"""`search.scoring`'s components over many rows at once, and an upper bound per specialist.

Constant components are folded into one number and sums may be reordered: `rank` re-scores the
shortlist exactly, and the shortlist margin (2e-6) dwarfs the rounding that introduces.
"""

from __future__ import annotations

import math

import numpy as np

from search import scoring


def expertise_of_experts(seg, case, q, flags, scratch) -> tuple[np.ndarray, np.ndarray]:
    """The specialist rows holding a case code or group, and the exact expertise of each.

    Computed once per condition set at the specialist level (search.backends.selection), and
    scattered into `scratch.expertise` per match, so each scored row costs one gather.
    """
    held = [
        by.rows_of(i)
        for by, indexes in ((seg.by_key, q.key_idx), (seg.by_group, q.group_idx))
        for i in indexes
        if i is not None
    ]
    if not case.conditions or not held:
        return np.zeros(0, dtype=np.int64), np.zeros(0)
    size = sum(len(p) for p in held)
    # Holders of a case code or group: from their postings when few, else one pass over the flags.
    experts = np.unique(np.concatenate(held)) if size < len(flags) // 64 else np.flatnonzero(flags & 2)
    level = scratch.level
    base = _specialty_level(seg, q, experts, flags[experts])
    total = np.zeros(len(experts))
    for key, group in zip(q.key_idx, q.group_idx, strict=True):
        held = []
        for postings, index, lo, span in (
            (seg.by_key, key, scoring.EXACT_BASE, scoring.EXACT_SPAN),
            (seg.by_group, group, scoring.GROUP_BASE, scoring.GROUP_SPAN),
        ):
            if index is not None:
                rows = postings.rows_of(index)
                level[rows] = np.maximum(level[rows], lo + span * postings.values_of(index))
                held.append(rows)
        total += np.maximum(base, level[experts])  # same steps as scoring.expertise: sum, then / k
        for rows in held:
            level[rows] = 0.0
    return experts, total / len(case.conditions)


def expertise(seg, case, q, sp, row_flags, scratch) -> np.ndarray:
    """Expertise per row: specialty level for most, the precomputed value for code holders."""
    if not case.conditions:
        named = seg.t.specialties.get(case.specialty)
        return np.where(seg.primary[sp] == named, scoring.NAMED_SPECIALTY_PRIMARY, scoring.NAMED_SPECIALTY_SECONDARY)
    k = len(case.conditions)
    mean_of = {level: sum([level] * k) / k for level in (scoring.SPECIALTY_PRIMARY, scoring.SPECIALTY_SECONDARY)}
    value = np.where(
        q.treats[seg.primary[sp]],
        mean_of[scoring.SPECIALTY_PRIMARY],
        np.where((row_flags & 1) != 0, mean_of[scoring.SPECIALTY_SECONDARY], 0.0),
    )
    experts = np.flatnonzero(row_flags & 2)
    value[experts] = scratch.expertise[sp[experts]]
    return value


def _specialty_level(seg, q, sp, row_flags) -> np.ndarray:
    return np.where(
        q.treats[seg.primary[sp]],
        scoring.SPECIALTY_PRIMARY,
        np.where((row_flags & 1) != 0, scoring.SPECIALTY_SECONDARY, 0.0),
    )


def score_rows(seg, case, q, weights, rows, sp, row_flags, distance, in_network, scratch) -> np.ndarray:
    """The weighted sum of the six components for each row."""
    constant = 0.0
    score = weights["expertise"] * expertise(seg, case, q, sp, row_flags, scratch)
    if case.has_plan:
        score += weights["coverage"] * np.where(
            in_network, scoring.COVERAGE["in_network"], scoring.COVERAGE["out_of_network_self_pay"]
        )
    else:
        constant += weights["coverage"] * scoring.COVERAGE["self_pay" if case.self_pay else "unknown"]
    if distance is None:
        constant += weights["distance"] * scoring.NEUTRAL
    else:
        decay = np.exp(-distance / scoring.DISTANCE_SCALE_MI)
        if case.telehealth_ok:
            decay = np.where(q.remote[sp], np.maximum(decay, scoring.TELEHEALTH_FLOOR), decay)
        score += weights["distance"] * decay
    scale = scoring.URGENCY_DAYS[case.urgency]
    unknown = math.exp(-scoring.UNKNOWN_WAIT_DAYS / scale)
    if seg.has_slots:
        slot = seg.next_available[rows]
        days = np.maximum(0.0, (np.nan_to_num(slot) - case.now.timestamp()) / 86400.0)
        score += weights["availability"] * np.where(np.isnan(slot), unknown, np.exp(-days / scale))
    else:
        constant += weights["availability"] * unknown
    score += weights["quality"] * seg.quality[sp]
    independence = independence_of(seg, q, sp)
    if isinstance(independence, float):
        constant += weights["independence"] * independence
    else:
        score += weights["independence"] * independence
    score += constant
    return score + standing_bonus(seg, case, q, sp, row_flags)


def standing_bonus(seg, case, q, sp, row_flags):
    """STANDING_BONUS times scoring.standing beyond its floor, so the shortlist keeps the top tiers."""
    bonus: float | np.ndarray = 0.0
    if q.expert is not None:
        bonus = bonus + scoring.STANDING_BONUS * q.expert[sp]
    if q.primary_holder is not None:  # a case code or group counts as primary (scoring.is_primary_treater)
        bonus = bonus + scoring.STANDING_BONUS * (q.primary_holder[sp] | ((row_flags & 2) != 0))
    if q.reads is not None:  # scoring.reads_only: standing -1 whatever codes they hold, below every tier
        reads_only = q.reads[seg.primary[sp]] & ~q.treats_too[seg.specialty_set[sp]]
        bonus = np.where(reads_only, -scoring.STANDING_BONUS, bonus)
    if case.treatment_only_specialties:  # scoring.treats_only: a secondary treater's 0, whatever they hold
        only = [i for code in case.treatment_only_specialties if (i := seg.t.specialties.get(code)) is not None]
        bonus = np.where(np.isin(seg.primary[sp], only), 0.0, bonus)
    return bonus


def upper_bound(seg, case, q, weights, specialists, flags, boxed, scratch, coverage: float) -> np.ndarray:
    """A score no location of each specialist can exceed: best distance and availability, given coverage."""
    best_distance: float | np.ndarray
    if q.unit is None:
        best_distance = scoring.NEUTRAL
    else:  # outside the searched box a location is farther than the radius
        beyond = max(scoring.TELEHEALTH_FLOOR, math.exp(-case.max_distance_mi / scoring.DISTANCE_SCALE_MI))
        best_distance = np.where(boxed[specialists], 1.0, beyond)
    scale = scoring.URGENCY_DAYS[case.urgency]
    best_availability = 1.0 if seg.has_slots else math.exp(-scoring.UNKNOWN_WAIT_DAYS / scale)
    bound = (
        weights["expertise"] * expertise(seg, case, q, specialists, flags[specialists], scratch)
        + weights["distance"] * best_distance
        + weights["quality"] * seg.quality[specialists]
        + weights["independence"] * independence_of(seg, q, specialists)
        + (weights["coverage"] * coverage + weights["availability"] * best_availability)
    )
    return bound + standing_bonus(seg, case, q, specialists, flags[specialists])


def bound_without_quality(seg, case, q, weights, coverage: float) -> float:
    """The best a specialty-only, out-of-radius telehealth specialist can score, quality aside."""
    k = max(1, len(case.conditions))
    expertise_best = sum([scoring.SPECIALTY_PRIMARY] * k) / k if case.conditions else scoring.NAMED_SPECIALTY_PRIMARY
    if q.unit is None:
        distance_best = scoring.NEUTRAL
    else:
        distance_best = max(scoring.TELEHEALTH_FLOOR, math.exp(-case.max_distance_mi / scoring.DISTANCE_SCALE_MI))
    scale = scoring.URGENCY_DAYS[case.urgency]
    return (
        weights["expertise"] * expertise_best
        + weights["distance"] * distance_best
        + weights["independence"]
        + weights["coverage"] * coverage
        + weights["availability"] * (1.0 if seg.has_slots else math.exp(-scoring.UNKNOWN_WAIT_DAYS / scale))
        + (scoring.STANDING_BONUS if q.primary_holder is not None else 0.0)
    )


def independence_of(seg, q, sp):
    """scoring.independence per row: by the institution's health system, or a rare shared name word."""
    if q.independence is None:
        return 1.0
    return q.independence[seg.institution_index[sp]]
