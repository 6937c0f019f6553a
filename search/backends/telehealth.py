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
from search.backends.hits import Hits, merge, threshold_score, where
from search.backends.native import scan
from search.backends.segment import Segment
from search.case import MatchCase

WALK_CHUNK = 16384  # telehealth specialists bounded per step of the best-quality-first walk


def add_telehealth(search, near: Hits, bounded: bool = True) -> Hits:
    """`near` plus the telehealth specialists: all counted; scored when their upper bound can reach the top.

    Only the specialists who may consult this patient remotely (`Query.remote_rows`: they offer
    telehealth and hold a licence in the patient's state) are looked at, not the whole directory.
    With `bounded=False` every qualifying telehealth specialist is expanded to all their locations
    and scored: the slow reference the bounded walk must agree with (tests/search).
    """
    seg, case, q = search.seg, search.case, search.q
    qualifying, row_flags = scan.qualifying_specialists(search, q.remote_rows, case.self_pay and not case.has_plan)
    total = near.total + len(qualifying)
    if case.has_plan and not seg.everyone_self_pays:
        (unpriced,) = where(~seg.self_pay[qualifying], qualifying)
        if len(unpriced):  # without a self-pay price only in-network locations qualify
            total -= len(unpriced) - scan.count_covered(search, unpriced)
    if not bounded:
        pool = merge(near, search.expanded(qualifying))
        pool.total = total
        return pool
    if case.has_plan:  # by coverage, as coverage is the one bound that differs this much
        member = in_network(seg, case, qualifying, search.scratch)
        parts = [(member, scoring.COVERAGE["in_network"]), (~member, scoring.COVERAGE["out_of_network_self_pay"])]
    else:
        parts = [(np.ones(len(qualifying), dtype=bool), scoring.COVERAGE["self_pay" if case.self_pay else "unknown"])]
    # Close by, or holding a case code: each is bounded with their own expertise and distance, and
    # only those that can reach the current `limit`-th score are expanded to their locations.
    exact = search.scratch.marked[qualifying] | (row_flags >= 2)
    pool = near
    for part, coverage in parts:
        threshold = threshold_score(pool.score, pool.sp, case.limit)
        pool = _bounded(search, pool, where(part & exact, qualifying)[0], coverage, threshold)
    for part, coverage in parts:  # the rest differ only by quality: walked best first
        pool = _walk(search, pool, where(part & ~exact, qualifying)[0], coverage)
    pool.total = total
    return pool


def _walk(search, pool: Hits, walk: np.ndarray, coverage: float) -> Hits:
    """Score the specialists of `walk` whose upper bound reaches the top, best quality first.

    (A pool holds one segment's rows: its specialist rows tell specialists apart as ids would.)"""
    if not len(walk):
        return pool
    seg = search.seg
    rest = vector_score.bound_without_quality(seg, search.case, search.q, search.weights, coverage)

    def floor_for(threshold: float) -> float:  # only specialists of this quality or better can reach it
        return (threshold - vector_score.BOUND_MARGIN - rest) / search.weights["quality"]

    threshold = threshold_score(pool.score, pool.sp, search.case.limit)
    quality = seg.quality[walk]
    able = quality >= floor_for(threshold)
    walk, quality = where(able, walk, quality)
    if len(walk) <= WALK_CHUNK:  # few: bound them all at once
        return _bounded(search, pool, walk, coverage, threshold)
    order = np.argsort(-quality, kind="stable")
    walk, negated = walk[order], -quality[order]  # ascending, for searchsorted
    cut, start = len(walk), 0
    while start < cut:
        chunk = walk[start : min(cut, start + WALK_CHUNK)]
        start += len(chunk)
        grown = _bounded(search, pool, chunk, coverage, threshold)
        if grown is not pool:
            pool = grown
            threshold = threshold_score(pool.score, pool.sp, search.case.limit)
            cut = min(cut, int(np.searchsorted(negated, -floor_for(threshold), side="right")))
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
        (specialists,) = where(bound >= threshold - vector_score.BOUND_MARGIN, specialists)
    return merge(pool, search.expanded(specialists)) if len(specialists) else pool


def in_network(seg: Segment, case: MatchCase, specialists: np.ndarray, scratch) -> np.ndarray:
    """For each of these specialist rows: in one of the plan's networks at one location at least."""
    member = np.zeros(len(specialists), dtype=bool)
    small = []
    for network_id in case.network_ids:
        i = seg.network_vocab.get(network_id)
        if i is None:
            continue
        bits = seg.network_specialist_bits.get(i)
        if bits is not None:
            member |= ((bits[specialists >> 3] >> (specialists & 7).astype(np.uint8)) & 1).astype(bool)
        else:
            small.append(seg.doc_sp[seg.by_network.rows_of(i)])
    if small:  # marked in a work array and cleared again: no sort
        marks = scratch.member
        for rows in small:
            marks[rows] = True
        member |= marks[specialists]
        for rows in small:
            marks[rows] = False
    return member
