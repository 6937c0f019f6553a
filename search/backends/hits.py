"""What a match over one segment found: rows, their specialists, distances and scores."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from search.backends.segment import Segment


@dataclass
class Hits:
    """Qualifying document rows of one segment with their distance and (approximate) score."""

    segment: Segment
    rows: np.ndarray
    sp: np.ndarray  # specialist row of each document row
    distance: np.ndarray | None
    score: np.ndarray
    total: int = 0  # distinct qualifying specialists (including the ones not scored)


def merge(a: Hits, b: Hits) -> Hits:
    """Both sets of rows (keeping `a`'s total)."""
    distance = None if a.distance is None else np.concatenate([a.distance, b.distance])
    return Hits(
        a.segment,
        np.concatenate([a.rows, b.rows]),
        np.concatenate([a.sp, b.sp]),
        distance,
        np.concatenate([a.score, b.score]),
        a.total,
    )


def where(mask: np.ndarray, *arrays: np.ndarray) -> tuple[np.ndarray, ...]:
    """Each array's elements where `mask` holds. numpy's boolean indexing branches per element, and a
    mask of hundreds of thousands of coin tosses mispredicts half of them: finding the positions once
    and taking them is five times faster."""
    at = np.flatnonzero(mask)
    return tuple(np.take(array, at, axis=0) for array in arrays)


def expand(seg: Segment, sp_rows: np.ndarray) -> np.ndarray:
    """Every document row of the given specialist rows."""
    starts, ends = seg.sp_doc_ptr[sp_rows], seg.sp_doc_ptr[sp_rows + 1]
    counts = ends - starts
    offsets = np.repeat(starts - (np.cumsum(counts) - counts), counts)
    return seg.sp_doc_rows[offsets + np.arange(int(counts.sum()))].astype(np.int64)


def threshold_score(score: np.ndarray, sid: np.ndarray, limit: int) -> float:
    """The score of the `limit`-th distinct specialist (-inf when fewer qualify)."""
    count, k = len(score), min(len(score), max(64, 4 * limit))
    while k > 0:
        if k >= count:
            top = np.argsort(-score, kind="stable")
        else:
            part = np.argpartition(-score, k - 1)[:k]
            top = part[np.argsort(-score[part], kind="stable")]
        seen: set[int] = set()
        for i in top:
            seen.add(int(sid[i]))
            if len(seen) == limit:
                return float(score[i])
        if k >= count:
            break
        k = min(count, k * 4)
    return -np.inf


def distinct(stamp: np.ndarray, sp: np.ndarray) -> int:
    """How many different specialist rows `sp` holds (`stamp`: a work array, one slot per specialist)."""
    return int(np.count_nonzero(_last_of_each(stamp, sp)))


def distinct_rows(stamp: np.ndarray, sp: np.ndarray) -> np.ndarray:
    """The different specialist rows of `sp`, in no particular order, without sorting."""
    return sp[_last_of_each(stamp, sp)]


def _last_of_each(stamp: np.ndarray, sp: np.ndarray) -> np.ndarray:
    # Last write wins: a specialist row counts once, at its last position.
    positions = np.arange(len(sp), dtype=stamp.dtype)
    stamp[sp] = positions
    return stamp[sp] == positions
