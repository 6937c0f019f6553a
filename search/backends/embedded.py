"""The embedded search backend: an in-process columnar index, built from the database, kept current
from the outbox (no server, the default).

Layout: one large base segment built from the whole directory, plus a small delta segment holding
the specialists changed since; their old base rows are masked out (copy-on-write, so a match in
another thread always sees a consistent snapshot).
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass

import numpy as np

from search import scoring
from search.backends import heap
from search.backends.base import MatchResult, Progress, SessionFactory, SyncReport, pick_session_factory
from search.backends.document_rows import document
from search.backends.hits import threshold_score
from search.backends.query import search_segment
from search.backends.segment import Live, Segment
from search.backends.tables import tables_from_documents
from search.backends.tables_sql import tables_from_database
from search.case import MatchCase
from search.documents import build_documents
from search.ranking import SCORE_DP, rank, warnings_for
from search.sync import OutboxCursor, read_consistently

log = logging.getLogger(__name__)
SHORTLIST_MARGIN = 2e-6  # covers float noise and 6-dp rounding between the vectorised and exact scores
SPARE_SPECIALISTS = 8  # exact ranking sees a few more specialists than it returns


@dataclass(frozen=True)
class Snapshot:
    """Segments and, for each, which rows are live (not superseded) and accepting."""

    parts: tuple[tuple[Segment, Live], ...]


class EmbeddedBackend:
    """In-process index; always reachable; one per process, each keeping its own outbox position."""

    name = "embedded"

    def __init__(self, session_factory: SessionFactory | None = None, poll_interval_s: float = 1.0) -> None:
        self._session_factory = session_factory
        self.poll_interval_s = poll_interval_s
        self._lock = threading.RLock()
        self._snapshot: Snapshot | None = None
        self._base: Segment | None = None
        self._base_live: Live | None = None
        self._delta_docs: dict[int, list[dict]] = {}
        self._cursor = OutboxCursor()
        self._last_poll = 0.0
        self._static = False

    @classmethod
    def from_documents(cls, docs) -> EmbeddedBackend:
        """An index over the given documents only, with no database behind it (parity tests, tools)."""
        backend = cls()
        backend._static = True
        backend._install(Segment(tables_from_documents(docs)))
        return backend

    def ping(self) -> bool:
        """The embedded index lives in this process, so it is reachable when the process is."""
        return True

    @property
    def high_water(self) -> int:
        """The highest outbox id this process has applied."""
        return self._cursor.high_water

    # -- building and syncing -------------------------------------------------------------------
    def rebuild(self, session_factory: SessionFactory | None = None, progress: Progress | None = None) -> int:
        """Build the index from the whole directory; returns the number of documents."""
        factory, say = self._factory(session_factory), progress or log.info
        started = time.perf_counter()
        heap.map_large_blocks()
        with self._lock, factory() as session, read_consistently(session):
            # The cursor and the tables come from one snapshot; rows committed later are applied below.
            cursor = OutboxCursor.at_end(session)
            tables = tables_from_database(session, say)
            heap.give_back()
            say(f"building the segment: geo grid, postings, sets of specialties ({len(tables.sid):,} specialists)")
            segment = Segment(tables)
            del tables
            self._cursor = cursor
            self._install(segment)
        heap.give_back()
        say(
            f"embedded index built: {segment.n_specialists:,} specialists, {segment.n_docs:,} documents "
            f"in {time.perf_counter() - started:.1f} s"
        )
        self.apply_outbox(factory)
        return segment.n_docs

    def apply_outbox(self, session_factory: SessionFactory | None = None) -> SyncReport:
        """Re-index the specialists named by outbox rows this process has not applied yet."""
        if self._snapshot is None or self._static:
            return SyncReport(high_water=self._cursor.high_water)  # the lazy build will read everything

        with self._lock, self._factory(session_factory)() as session:
            events = self._cursor.unseen(session)
            if not events:
                return SyncReport(high_water=self._cursor.high_water)
            ids = sorted({entity for _, entity in events})
            fresh: dict[int, list[dict]] = {i: [] for i in ids}  # no documents left = deleted
            for doc in build_documents(session, ids):
                fresh[doc["specialist_id"]].append(doc)
            self._replace(fresh)
            self._cursor.advance(events)
        return SyncReport(applied=len(events), specialists=len(ids), high_water=self._cursor.high_water)

    def refresh(self) -> None:
        """Apply pending outbox rows now (tests call this before asserting)."""
        if self._snapshot is None:
            self.ensure_ready()
        self.apply_outbox()

    def ensure_ready(self, progress: Progress | None = None) -> None:
        """Build on first use (`progress` hears how the build goes)."""
        if self._snapshot is None:
            with self._lock:
                if self._snapshot is None:
                    log.info("building the embedded search index from the database")
                    self.rebuild(progress=progress)

    def _install(self, base: Segment) -> None:
        self._base, self._base_live, self._delta_docs = base, Live.initial(base), {}
        self._snapshot = Snapshot(((base, self._base_live),))

    def _replace(self, fresh: dict[int, list[dict]]) -> None:
        assert self._base is not None and self._base_live is not None, "replace before install"
        rows = self._base_live.rows.copy()
        for specialist_id in fresh:
            row = self._base.specialist_row(specialist_id)
            if row is not None:
                rows[self._base.doc_rows_of(row)] = False
        live = Live(self._base, rows)
        self._delta_docs.update(fresh)
        delta = Segment(tables_from_documents(d for docs in self._delta_docs.values() for d in docs))
        self._base_live = live
        self._snapshot = Snapshot(((self._base, live), (delta, Live.initial(delta))))

    def _factory(self, session_factory: SessionFactory | None) -> SessionFactory:
        return pick_session_factory(session_factory, self._session_factory)

    def _maybe_poll(self) -> None:
        # Other processes write too: look at the outbox at most once per interval.
        now = time.monotonic()
        if self._static or now - self._last_poll < self.poll_interval_s:
            return
        self._last_poll = now
        with self._factory(None)() as session:
            behind = self._cursor.is_behind(session)
        if behind:
            self.apply_outbox()

    # -- matching -------------------------------------------------------------------------------
    def match(self, case: MatchCase) -> MatchResult:
        """Candidates for a case: hard constraints and a vectorised score narrow, `rank` decides."""
        started = time.perf_counter()
        self.ensure_ready()
        self._maybe_poll()
        weights = scoring.weights_for(case)
        assert self._snapshot is not None, "ensure_ready installs a snapshot"
        hits = [search_segment(seg, live, case, weights) for seg, live in self._snapshot.parts if seg.n_docs]
        ranked = rank(case, _shortlist(hits, case.limit))
        took_ms = (time.perf_counter() - started) * 1000.0
        return MatchResult(ranked, sum(h.total for h in hits), round(took_ms, 3), warnings_for(case))


def _shortlist(hits, limit: int) -> list[dict]:
    """Documents that can be in the top `limit` specialists (by vectorised score), for exact ranking."""
    hits = [h for h in hits if len(h.rows)]
    if not hits or limit <= 0:
        return []
    score = np.concatenate([h.score for h in hits])
    # A specialist is live in one segment only, so (segment, row) tells specialists apart as ids do;
    # ids are only looked up for the few rows that reach the threshold.
    who = hits[0].sp if len(hits) == 1 else np.concatenate([h.sp + (i << 32) for i, h in enumerate(hits)])
    threshold = threshold_score(score, who, limit)
    chosen = np.flatnonzero(score >= threshold - SHORTLIST_MARGIN)
    part = who[chosen] >> 32 if len(hits) > 1 else np.zeros(len(chosen), np.int64)
    starts = np.cumsum([0] + [len(h.rows) for h in hits])
    at = chosen - starts[part]
    sid, rows, dist = np.empty(len(chosen), np.int64), np.empty(len(chosen), np.int64), np.zeros(len(chosen))
    for p, h in enumerate(hits):
        mine = part == p
        sid[mine], rows[mine] = h.segment.t.sid[h.sp[at[mine]]], h.rows[at[mine]]
        if h.distance is not None:
            dist[mine] = h.distance[at[mine]]
    order = np.lexsort((sid, np.round(dist, SCORE_DP), -np.round(score[chosen], SCORE_DP)))
    wanted: set[int] = set()
    for i in order:  # the best few specialists, with every near-best location of theirs
        wanted.add(int(sid[i]))
        if len(wanted) == limit + SPARE_SPECIALISTS:
            break
    made: list[dict] = [{} for _ in hits]  # per segment: each specialist's part of a document, built once
    keep = np.flatnonzero(np.isin(sid, list(wanted)))
    return [document(hits[part[i]].segment, int(rows[i]), made[part[i]]) for i in keep.tolist()]
