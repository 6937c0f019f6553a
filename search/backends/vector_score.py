"""`search.scoring`'s components over many rows at once, and an upper bound per specialist.

Constant components are folded into one number and sums may be reordered: `rank` re-scores the
shortlist exactly, and the shortlist margin (2e-6) dwarfs the rounding that introduces.
"""

from __future__ import annotations

import math

import numpy as np

from search import scoring
from search.backends.hits import distinct, distinct_rows

# An upper bound this close to the threshold still gets its rows scored: wider than the shortlist's
# margin (2e-6) plus 6-dp rounding (1e-6), so nobody the full expansion would shortlist, or tie with
# after rounding, is left out.
BOUND_MARGIN = 5e-6


def condition_levels(seg, key, group, scratch) -> tuple[np.ndarray, np.ndarray]:
    """The holders of one case condition's code or group, each with the higher of the two levels.

    Broad codes (R00, Z00 ...) come back in many condition sets: search.backends.query keeps this
    per condition, so a new set only combines what its conditions hold.
    """
    level, held = scratch.level, []
    for postings, index, lo, span in (
        (seg.by_key, key, scoring.EXACT_BASE, scoring.EXACT_SPAN),
        (seg.by_group, group, scoring.GROUP_BASE, scoring.GROUP_SPAN),
    ):
        if index is not None:
            rows = postings.rows_of(index).astype(np.intp)  # gathered through three times
            level[rows] = np.maximum(level[rows], lo + span * postings.values_of(index))
            held.append(rows)
    if not held:
        return np.zeros(0, dtype=np.intp), np.zeros(0)
    rows = held[0] if len(held) == 1 else distinct_rows(scratch.stamp, np.concatenate(held))
    values = level[rows]
    for posting in held:
        level[posting] = 0.0
    return rows, values


def expertise_of_experts(seg, case, q, flags, held, scratch) -> tuple[np.ndarray, np.ndarray]:
    """The specialist rows holding a case code or group, and the exact expertise of each.

    `held`: per case condition, `condition_levels`. Computed once per condition set at the
    specialist level (search.backends.selection), and scattered into `scratch.expertise` per
    match, so each scored row costs one gather.
    """
    holding = [pair for pair in held if len(pair[0])]
    if not case.conditions or not holding:
        return np.zeros(0, dtype=np.int64), np.zeros(0)
    if len(holding) == 1:
        experts = holding[0][0]
    elif sum(len(rows) for rows, _ in holding) < len(flags) // 8:
        experts = distinct_rows(scratch.stamp, np.concatenate([rows for rows, _ in holding]))
    else:  # many: one pass over the flags
        experts = np.flatnonzero(flags & 2)
    level = scratch.level
    base = _specialty_level(q, seg.profile[experts], flags[experts])
    total = np.zeros(len(experts))
    for rows, values in held:  # same steps as scoring.expertise: sum, then / k
        if rows is experts:
            total += np.maximum(base, values)
        else:
            level[rows] = values
            total += np.maximum(base, level[experts])
            level[rows] = 0.0
    return experts, total / len(case.conditions)


def expertise(seg, case, q, sp, prof, row_flags, scratch) -> np.ndarray:
    """Expertise per row (`prof`: each row's profile): specialty level for most, the precomputed
    value for code holders."""
    if not case.conditions:
        named = seg.t.specialties.get(case.specialty)
        return np.where(
            seg.profile_primary[prof] == named, scoring.NAMED_SPECIALTY_PRIMARY, scoring.NAMED_SPECIALTY_SECONDARY
        )
    k = len(case.conditions)
    mean_of = {level: sum([level] * k) / k for level in (scoring.SPECIALTY_PRIMARY, scoring.SPECIALTY_SECONDARY)}
    value = np.where(
        q.treats_primary[prof],
        mean_of[scoring.SPECIALTY_PRIMARY],
        np.where((row_flags & 1) != 0, mean_of[scoring.SPECIALTY_SECONDARY], 0.0),
    )
    experts = np.flatnonzero(row_flags & 2)
    value[experts] = scratch.expertise[sp[experts]]
    return value


def _specialty_level(q, prof, row_flags) -> np.ndarray:
    return np.where(
        q.treats_primary[prof],
        scoring.SPECIALTY_PRIMARY,
        np.where((row_flags & 1) != 0, scoring.SPECIALTY_SECONDARY, 0.0),
    )


def score_rows(seg, case, q, weights, rows, sp, prof, row_flags, bonus, distance, in_network, scratch) -> np.ndarray:
    """The weighted sum of the six components for each row, plus its standing `bonus`."""
    constant = 0.0
    score = weights["expertise"] * expertise(seg, case, q, sp, prof, row_flags, scratch)
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
    return score + bonus


def standing_bonus(q, sp, prof, row_flags):
    """STANDING_BONUS times scoring.standing beyond its floor, so the shortlist keeps the top tiers."""
    return bonus_of(q, None if q.expert is None else q.expert[sp], prof, row_flags)


def bonus_of(q, expert, prof, row_flags):
    """standing_bonus from each row's `expert` (None: the case puts no expertise first), profile and flags."""
    bonus: float | np.ndarray = 0.0
    if expert is not None:
        bonus = bonus + scoring.STANDING_BONUS * expert
    if q.primary_holder is not None:  # a case code or group counts as primary (scoring.is_primary_treater)
        bonus = bonus + scoring.STANDING_BONUS * (q.primary_holder[prof] | ((row_flags & 2) != 0))
    if q.reads_only is not None:  # scoring.reads_only: standing -1 whatever codes they hold, below every tier
        bonus = np.where(q.reads_only[prof], -scoring.STANDING_BONUS, bonus)
    if q.treats_only is not None:  # scoring.treats_only: a secondary treater's 0, whatever they hold
        bonus = np.where(q.treats_only[prof], 0.0, bonus)
    return bonus


def top_tiers(bonus, sp, limit: int, stamp: np.ndarray, max_locations: int) -> np.ndarray | None:
    """Rows in the best standing tiers that hold `limit` different specialists (None: all rows).

    Scores lie in [0, 1] and tiers STANDING_BONUS (2) apart, so a row of a lower tier scores below
    every one of those specialists: it can reach neither the top `limit` nor the shortlist, whatever
    the rest of the pool holds.
    """
    if isinstance(bonus, float) or not len(bonus):
        return None
    tier, lowest = float(bonus.max()), float(bonus.min())
    while tier > lowest:
        mask = bonus >= tier
        rows = np.count_nonzero(mask)  # a specialist has at most `max_locations` of them
        if rows >= limit * max_locations or (rows >= limit and distinct(stamp, sp[mask]) >= limit):
            return mask
        tier -= scoring.STANDING_BONUS
    return None


def upper_bound(seg, case, q, weights, specialists, flags, boxed, scratch, coverage: float) -> np.ndarray:
    """A score no location of each specialist can exceed: best distance and availability, given coverage."""
    best_distance: float | np.ndarray
    if q.unit is None:
        best_distance = scoring.NEUTRAL
    else:  # outside the searched box a location is farther than the radius
        beyond = max(scoring.TELEHEALTH_FLOOR, math.exp(-case.max_distance_mi / scoring.DISTANCE_SCALE_MI))
        best_distance = np.where(boxed[specialists], 1.0, beyond)
    best_availability = _best_availability(seg, case)
    prof, row_flags = seg.profile[specialists].astype(np.intp), flags[specialists]
    bound = (
        weights["expertise"] * expertise(seg, case, q, specialists, prof, row_flags, scratch)
        + weights["distance"] * best_distance
        + weights["quality"] * seg.quality[specialists]
        + weights["independence"] * independence_of(seg, q, specialists)
        + (weights["coverage"] * coverage + weights["availability"] * best_availability)
    )
    return bound + standing_bonus(q, specialists, prof, row_flags)


def best_apart_from_distance(seg, case, weights) -> float:
    """The most a row of a specialist holding no case code or group can score, distance and standing aside."""
    if case.has_plan:
        coverage = max(scoring.COVERAGE["in_network"], scoring.COVERAGE["out_of_network_self_pay"])
    else:
        coverage = scoring.COVERAGE["self_pay" if case.self_pay else "unknown"]
    return (
        weights["expertise"] * _specialty_only_expertise(case)
        + weights["coverage"] * coverage
        + weights["availability"] * _best_availability(seg, case)
        + weights["quality"] * seg.best_quality
        + weights["independence"] * 1.0
    )


def bound_without_quality(seg, case, q, weights, coverage: float) -> float:
    """The best a specialty-only, out-of-radius telehealth specialist can score, quality aside."""
    if q.unit is None:
        distance_best = scoring.NEUTRAL
    else:
        distance_best = max(scoring.TELEHEALTH_FLOOR, math.exp(-case.max_distance_mi / scoring.DISTANCE_SCALE_MI))
    return (
        weights["expertise"] * _specialty_only_expertise(case)
        + weights["distance"] * distance_best
        + weights["independence"]
        + weights["coverage"] * coverage
        + weights["availability"] * _best_availability(seg, case)
        + (scoring.STANDING_BONUS if q.primary_holder is not None else 0.0)
    )


def _specialty_only_expertise(case) -> float:
    """The most expertise a specialist holding no case code or group has: a primary treating specialty,
    averaged over the case's conditions as `expertise` averages it."""
    if not case.conditions:
        return scoring.NAMED_SPECIALTY_PRIMARY
    k = len(case.conditions)
    return sum([scoring.SPECIALTY_PRIMARY] * k) / k


def _best_availability(seg, case) -> float:
    """The availability component of the soonest possible slot (today), or of none when no row has slots."""
    return 1.0 if seg.has_slots else math.exp(-scoring.UNKNOWN_WAIT_DAYS / scoring.URGENCY_DAYS[case.urgency])


def independence_of(seg, q, sp):
    """scoring.independence per row: by the institution's health system, or a rare shared name word."""
    if q.independence is None:
        return 1.0
    return q.independence[seg.institution_index[sp]]
