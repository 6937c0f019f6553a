"""The near half of a match in one native pass (scan.c), for search.backends.query.

`near_scored` answers what `SegmentSearch.near` followed by `.scored` answers: the same count of
qualifying specialists within the radius, and every row that can reach the top, scored (it leaves
out more rows that provably cannot). Rows at the radius's very edge are settled by the exact
haversine, as `grid.within` settles them.
"""

from __future__ import annotations

import functools
import math
from typing import TYPE_CHECKING

import numpy as np

from search import scoring
from search.backends import grid, vector_score
from search.backends.hits import Hits, merge, threshold_score
from search.backends.native._scan import ffi, lib

if TYPE_CHECKING:
    from search.backends.query import SegmentSearch

assert np.dtype(np.intp).itemsize == 8, "scan.c reads document and specialist rows as int64"

TIERS = lib.SCAN_TIERS
ROW_MASK = (1 << lib.FLAGS_SHIFT) - 1  # scan_box's rows carry their specialist's flags above
EDGE_ROOM = 256  # rows at the radius's edge scan_box can hand back before it is run again with more room
NEAREST_FIRST = 2048  # more rows than this: the nearest are scored first, and bound the rest by distance
SAMPLE = 1024  # rows whose distances tell how near the nearest NEAREST_FIRST are
TIER_TABLES = 256  # tier tables a segment keeps (4 bytes per profile each)


def near_scored(search: SegmentSearch) -> Hits:
    """What SegmentSearch.scored(*SegmentSearch.near()) finds for a case with a point: the same
    total, and every row of it that can reach the top, scored."""
    seg, case, q, scratch = search.seg, search.case, search.q, search.scratch
    assert q.unit is not None and case.point is not None, "the grid needs a point"
    lat, lon = case.point
    runs = grid.cell_runs(lat, lon, case.max_distance_mi)
    runs[:, :2] = seg.cell_ptr[runs[:, :2]]  # cells to rows
    tiers = _tier_table_of(seg, q)
    keep = []  # cffi pointers borrow the arrays' memory: they must outlive the call
    query = ffi.new("struct scan_query *")

    def ptr(kind: str, array: np.ndarray | None):
        if array is None:
            return ffi.NULL
        keep.append(array)
        return ffi.from_buffer(kind, array)

    scratch.marked[:] = False  # boxed: set here for the telehealth walk
    query.doc_sp = ptr("int64_t[]", seg.doc_sp)
    query.live = ptr("uint8_t[]", search.live.rows)
    query.flags = ptr("uint8_t[]", search.flags)
    query.remote = ptr("uint8_t[]", q.remote if case.telehealth_ok else None)
    query.boxed = ptr("uint8_t[]", scratch.marked)
    query.unit = ptr("double[]", seg.unit)
    query.x, query.y, query.z = (float(v) for v in q.unit)
    query.cos_r, query.boundary = math.cos(case.max_distance_mi / grid.R), grid.BOUNDARY
    speaks = _speaking(search)
    query.speaks = ptr("uint8_t[]", speaks)
    query.excluded = ptr("uint8_t[]", scratch.excluded if len(q.excluded) else None)
    query.plan_bits = ptr("uint8_t[]", q.plan_bits)
    query.doc_traits = ptr("uint8_t[]", seg.doc_traits)
    if q.plan_bits is not None:
        query.coverage = lib.COVER_IN_NETWORK_OR_SELF_PAY
    else:
        query.coverage = lib.COVER_SELF_PAY if case.self_pay else lib.COVER_ANY
    query.tier_of = ptr("int8_t[]", tiers)
    query.doc_profile = ptr("int32_t[]", seg.doc_profile)
    query.expert = ptr("uint8_t[]", q.expert)
    try:
        candidates = np.empty(int((runs[:, 1] - runs[:, 0]).sum()), dtype=np.int64)
        edges, room = ffi.new("struct edge_rows *"), EDGE_ROOM
        while True:  # rows at the radius's edge are rare: room for more only when needed
            edge_rows = np.empty(room + 1, dtype=np.int64)
            edges.rows, edges.room = ptr("int64_t[]", edge_rows), room
            n = lib.scan_box(query, ptr("int64_t[]", runs), len(runs), ptr("int64_t[]", candidates), edges)
            if edges.n <= room:
                break
            room = edges.n
        if edges.n:
            candidates, n = _with_edge_rows(search, candidates[:n], edge_rows[: edges.n])
        counts = np.zeros(2 * TIERS, dtype=np.int64)
        n = lib.scan_count(
            query,
            ptr("int64_t[]", candidates),
            n,
            ptr("uint64_t[]", scratch.seen),
            seg.n_specialists,
            ptr("int64_t[]", counts),
        )
    finally:
        _done_speaking(search, speaks)
    by_tier, total = counts[lib.SCAN_SPECIALISTS :], int(counts[lib.SCAN_SPECIALISTS :].sum())
    lowest = top_tier(by_tier, case.limit)
    m = int(counts[lowest:TIERS].sum())  # rows of the tiers kept

    def picked(min_dot: float, max_dot: float, holders: int) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        rows, dots = np.empty(m, dtype=np.int64), np.empty(m)
        member = None if q.plan_bits is None else np.empty(m, dtype=bool)
        k = lib.pick(
            query,
            ptr("int64_t[]", candidates),
            n,
            lowest,
            min_dot,
            max_dot,
            holders,
            ptr("int64_t[]", rows),
            ptr("double[]", dots),
            ptr("uint8_t[]", member),
        )
        return rows[:k], dots[:k], None if member is None else member[:k]

    def scored(rows: np.ndarray, dots: np.ndarray, member: np.ndarray | None) -> Hits:
        return search.score(rows, seg.doc_sp[rows], dots, member, total)

    if m <= NEAREST_FIRST:
        return scored(*picked(-2.0, 2.0, lib.HOLDERS_AS_OTHERS))
    # Many rows: score the nearest few thousand (and every holder of a case code or group) first. The
    # rest hold only a treating specialty, so distance is the one component that sets them apart by
    # more than a known most; only those close enough to reach the top so far are scored.
    sample = candidates[: n : max(1, n // SAMPLE)] & ROW_MASK  # the dot product that leaves about NEAREST_FIRST
    inner = float(np.quantile(grid.dot(seg, sample, q.unit), 1.0 - NEAREST_FIRST / m))
    near = scored(*picked(inner, 2.0, lib.HOLDERS_ALL))
    top = int(np.flatnonzero(counts[:TIERS])[-1])  # the best tier holding rows
    closest = _closest_that_can_reach(search, threshold_score(near.score, near.sp, case.limit), top)
    if closest >= inner:
        return near
    return merge(near, scored(*picked(closest, inner, lib.HOLDERS_LEFT_OUT)))


def _with_edge_rows(search: SegmentSearch, rows: np.ndarray, edge: np.ndarray) -> tuple[np.ndarray, int]:
    """`rows` (scan_box's, in row order) with the rows of `edge` the exact haversine puts within the
    radius, in their places."""
    seg, case = search.seg, search.case
    assert search.q.unit is not None and case.point is not None, "edges are of a circle"
    at = edge & ROW_MASK
    inside = grid.within(seg, at, grid.dot(seg, at, search.q.unit), case.point, case.max_distance_mi)
    if not inside.any():
        return rows, len(rows)
    merged = np.insert(rows, np.searchsorted(rows & ROW_MASK, at[inside]), edge[inside])
    return merged, len(merged)


def _closest_that_can_reach(search: SegmentSearch, threshold: float, tier: int) -> float:
    """The least dot product a row can have and still score `threshold`, for rows of specialists who
    hold no case code or group, of standing tier `tier` or below (-2.0: any row; 2.0: none)."""
    weight = search.weights["distance"]
    if threshold == -np.inf or weight <= 0:
        return -2.0
    best = vector_score.best_apart_from_distance(search.seg, search.case, search.weights)
    best += (tier - lib.SCAN_PLAIN_TIER) * scoring.STANDING_BONUS
    need = (threshold - vector_score.BOUND_MARGIN - best) / weight  # the least distance decay that can reach it
    if need <= 0.0:
        return -2.0
    if need > 1.0:
        return 2.0
    return math.cos(-scoring.DISTANCE_SCALE_MI * math.log(need) / grid.R)


def _tier_table_of(seg, q) -> np.ndarray | None:
    """tier_table, kept per segment by what it is made of: many cases share their standings."""
    parts = (q.primary_holder, q.reads_only, q.treats_only)
    key = (q.expert is not None, *(None if part is None else part.tobytes() for part in parts))
    found = seg.tier_tables.get(key, False)
    if found is False:
        if len(seg.tier_tables) >= TIER_TABLES:
            seg.tier_tables.clear()
        found = seg.tier_tables[key] = tier_table(q, len(seg.profile_set))
    return found


def tier_table(q, n_profiles: int) -> np.ndarray | None:
    """Standing tier (vector_score.standing_bonus / STANDING_BONUS + 1) by profile * 4 + (flags & 2) +
    expert, or None when every specialist stands alike."""
    if q.expert is None and q.primary_holder is None and q.reads_only is None and q.treats_only is None:
        return None
    prof, row_flags, expert = _every_standing(n_profiles)
    bonus = vector_score.bonus_of(q, expert if q.expert is not None else None, prof, row_flags)
    tier = np.broadcast_to(np.asarray(bonus) / scoring.STANDING_BONUS + 1, prof.shape).astype(np.int8)
    assert tier.min() >= 0 and tier.max() < TIERS, "standings are whole tiers, within the table"
    return tier


@functools.lru_cache(maxsize=4)
def _every_standing(n_profiles: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each profile with each (flags & 2, expert): the rows of `tier_table` (read-only)."""
    prof = np.repeat(np.arange(n_profiles, dtype=np.intp), 4)
    row_flags = np.tile(np.array([0, 0, 2, 2], dtype=np.uint8), n_profiles)
    expert = np.tile(np.array([False, True, False, True]), n_profiles)
    for array in (prof, row_flags, expert):
        array.flags.writeable = False
    return prof, row_flags, expert


def top_tier(by_tier: np.ndarray, limit: int) -> int:
    """The lowest tier to score: vector_score.top_tiers's choice from the counts of specialists by tier."""
    present = np.flatnonzero(by_tier)
    if not len(present):
        return 0
    held = 0
    for tier in range(int(present[-1]), int(present[0]), -1):
        held += int(by_tier[tier])
        if held >= limit:
            return tier
    return 0


def flags_by_profile(by_profile: np.ndarray, profile: np.ndarray, allowed: np.ndarray | None, population: np.ndarray):
    """by_profile[profile] (uint8), masked by allowed[population] when `allowed` is given."""
    out = np.empty(len(profile), dtype=np.uint8)
    by_profile = np.ascontiguousarray(by_profile, dtype=np.uint8)
    allowed = None if allowed is None else np.ascontiguousarray(allowed, dtype=np.uint8)
    lib.flags_by_profile(
        ffi.from_buffer("uint8_t[]", by_profile),
        ffi.from_buffer("int32_t[]", profile),
        ffi.NULL if allowed is None else ffi.from_buffer("uint8_t[]", allowed),
        ffi.from_buffer("int8_t[]", population),
        len(profile),
        ffi.from_buffer("uint8_t[]", out),
    )
    return out


def count_covered(search: SegmentSearch, specialists: np.ndarray) -> int:
    """How many of these specialist rows have a live location in the case's plan's networks."""
    seg, plan_bits = search.seg, search.q.plan_bits
    assert plan_bits is not None, "a case naming a plan"
    specialists = np.ascontiguousarray(specialists, dtype=np.int64)
    return int(
        lib.count_covered(
            ffi.from_buffer("int64_t[]", specialists),
            len(specialists),
            ffi.from_buffer("int64_t[]", seg.sp_doc_ptr),
            ffi.from_buffer("int32_t[]", seg.sp_doc_rows),
            ffi.from_buffer("uint8_t[]", search.live.rows),
            ffi.from_buffer("uint8_t[]", plan_bits),
        )
    )


def qualifying_specialists(search: SegmentSearch, specialists: np.ndarray, self_pay_only: bool):
    """Of these specialist rows, those who qualify for the case (flags), have a live location, speak a
    language it asks for, are not excluded and (with `self_pay_only`) take self-pay; with their flags."""
    seg, q, scratch = search.seg, search.q, search.scratch
    specialists = np.ascontiguousarray(specialists, dtype=np.int64)
    out, out_flags = np.empty(len(specialists), dtype=np.int64), np.empty(len(specialists), dtype=np.uint8)
    speaks = _speaking(search)
    try:
        n = lib.qualifying_specialists(
            ffi.from_buffer("int64_t[]", specialists),
            len(specialists),
            ffi.from_buffer("uint8_t[]", search.flags),
            ffi.from_buffer("uint8_t[]", search.live.specialists),
            ffi.from_buffer("uint8_t[]", seg.self_pay) if self_pay_only else ffi.NULL,
            ffi.NULL if speaks is None else ffi.from_buffer("uint8_t[]", speaks),
            ffi.from_buffer("uint8_t[]", scratch.excluded) if len(q.excluded) else ffi.NULL,
            ffi.from_buffer("int64_t[]", out),
            ffi.from_buffer("uint8_t[]", out_flags),
        )
    finally:
        _done_speaking(search, speaks)
    return out[:n], out_flags[:n]


def _speaking(search: SegmentSearch) -> np.ndarray | None:
    """By specialist: speaks a language the case asks for (None: it asks for none). Cleared again by
    `_done_speaking`."""
    if not search.case.languages:
        return None
    speaks = search.scratch.language
    for posting in search.q.languages:
        speaks[posting] = True
    return speaks


def _done_speaking(search: SegmentSearch, speaks: np.ndarray | None) -> None:
    if speaks is not None:
        for posting in search.q.languages:
            speaks[posting] = False
