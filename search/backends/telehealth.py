"""Telehealth specialists qualify wherever they are: count them all, score only those that can rank.

Close ones and holders of a case code are scored. The rest hold only a treating specialty and are
farther than the radius, so their scores differ only by quality within otherwise bounded
components: they are visited best quality first, and the walk stops once even the best remaining
cannot reach the current `limit`-th score.
"""

from __future__ import annotations

import numpy as np

from search import scoring
from search.backends import vector_score
from search.backends.hits import Hits, merge, threshold_score
from search.backends.segment import Segment
from search.case import MatchCase

# An upper bound this close to the threshold still gets its specialist scored: wider than the
# shortlist's margin (2e-6) plus 6-dp rounding (1e-6), so nobody the full expansion would shortlist,
# or tie with after rounding, is left out.
BOUND_MARGIN = 5e-6
WALK_CHUNK = 16384  # telehealth specialists bounded per step of the best-quality-first walk


def add_telehealth(search, near: Hits, bounded: bool = True) -> Hits:
    """`near` plus the telehealth specialists: all counted; scored when their upper bound can reach the top.

    With `bounded=False` every qualifying telehealth specialist is expanded to all their locations
    and scored: the slow reference the bounded walk must agree with (tests/search).
    """
    seg, case, flags = search.seg, search.case, search.flags
    boxed = search.scratch.marked
    ok = (flags != 0) & search.q.remote & search.live.specialists
    if case.self_pay and not case.has_plan:
        ok &= seg.self_pay
    if case.languages:
        ok &= _speakers(search)
    ok[search.q.excluded] = False
    total = near.total + int(np.count_nonzero(ok))
    if case.has_plan and not seg.everyone_self_pays:
        unpriced = np.flatnonzero(ok & ~seg.self_pay)
        if len(unpriced):  # without a self-pay price only in-network locations qualify
            total -= len(unpriced) - search.expanded(unpriced, count=True).total
    if not bounded:
        pool = merge(near, search.expanded(np.flatnonzero(ok)))
        pool.total = total
        return pool
    if case.has_plan:  # by coverage, as coverage is the one bound that differs this much
        member = in_network_specialists(seg, case)
        parts = [
            (ok & member, scoring.COVERAGE["in_network"]),
            (ok & ~member, scoring.COVERAGE["out_of_network_self_pay"]),
        ]
    else:
        parts = [(ok, scoring.COVERAGE["self_pay" if case.self_pay else "unknown"])]
    # Close by, or holding a case code: each is bounded with their own expertise and distance, and
    # only those that can reach the current `limit`-th score are expanded to their locations.
    exact = boxed | (flags >= 2)
    pool = near
    for part, coverage in parts:
        threshold = threshold_score(pool.score, seg.t.sid[pool.sp], case.limit)
        pool = _bounded(search, pool, np.flatnonzero(part & exact), coverage, threshold)
    for part, coverage in parts:  # the rest differ only by quality: walked best first
        pool = _walk(search, pool, part & ~exact, coverage)
    pool.total = total
    return pool


def _walk(search, pool: Hits, walk: np.ndarray, coverage: float) -> Hits:
    """Score the specialists of `walk` whose upper bound reaches the top, best quality first."""
    seg, t = search.seg, search.seg.t
    rest = vector_score.bound_without_quality(seg, search.case, search.q, search.weights, coverage)

    def cut_for(threshold: float) -> int:  # only this many best-quality specialists can reach it
        floor = (threshold - BOUND_MARGIN - rest) / search.weights["quality"]
        return int(np.searchsorted(seg.negated_quality, -floor, side="right"))

    threshold = threshold_score(pool.score, t.sid[pool.sp], search.case.limit)
    cut = cut_for(threshold)
    if cut > seg.n_specialists // 4:  # the quality order would not save much: bound them all at once
        return _bounded(search, pool, np.flatnonzero(walk), coverage, threshold)
    start = 0
    while start < cut:
        chunk = seg.by_quality[start : min(cut, start + WALK_CHUNK)]
        start += len(chunk)
        grown = _bounded(search, pool, chunk[walk[chunk]], coverage, threshold)
        if grown is not pool:
            pool = grown
            threshold = threshold_score(pool.score, t.sid[pool.sp], search.case.limit)
            cut = min(cut, cut_for(threshold))
    return pool


def _bounded(search, pool: Hits, specialists: np.ndarray, coverage: float, threshold: float) -> Hits:
    """`pool` plus the locations of those specialists whose upper bound reaches the threshold."""
    if len(specialists):
        bound = vector_score.upper_bound(
            search.seg,
            search.case,
            search.q,
            search.weights,
            specialists,
            search.flags,
            search.scratch.marked,
            search.scratch,
            coverage,
        )
        specialists = specialists[bound >= threshold - BOUND_MARGIN]
    return merge(pool, search.expanded(specialists)) if len(specialists) else pool


def _speakers(search) -> np.ndarray:
    speaks = np.zeros(search.seg.n_specialists, dtype=bool)
    for posting in search.q.languages:
        speaks[posting] = True
    return speaks


def in_network_specialists(seg: Segment, case: MatchCase) -> np.ndarray:
    """Per specialist row: in one of the plan's networks at one location at least."""
    bits = np.zeros((seg.n_specialists + 7) // 8, dtype=np.uint8)
    member = np.zeros(seg.n_specialists, dtype=bool)
    for network_id in case.network_ids:
        i = seg.network_vocab.get(network_id)
        if i is None:
            continue
        if i in seg.network_specialist_bits:
            bits |= seg.network_specialist_bits[i]
        else:
            member[seg.doc_sp[seg.by_network.rows_of(i)]] = True
    return member | np.unpackbits(bits, count=seg.n_specialists, bitorder="little").view(bool)
