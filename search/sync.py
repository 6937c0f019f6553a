"""Keeping the index true: reading the outbox, rebuilding from scratch, and the follow loop.

Every directory write adds an OutboxEvent in its own transaction. The embedded backend keeps a
per-process cursor over outbox ids (rows are never consumed, so every process catches up); the
Elasticsearch backend marks rows processed, so a failed delivery stays pending and is retried.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import cast

from sqlalchemy import CursorResult, delete, func, select, update
from sqlalchemy.orm import Session

from api.models import OutboxEvent

log = logging.getLogger(__name__)
TOPIC = "specialist"
# Outbox ids come from a sequence: on PostgreSQL a transaction that took id 100 can commit after one
# that took 101. Re-reading a window below the high-water mark catches such late commits.
LOOKBACK_IDS = 1000


class OutboxCursor:
    """How far one process's index has read the outbox, with the recently applied ids."""

    def __init__(self, high_water: int = 0) -> None:
        self.high_water = high_water
        self._recent: set[int] = set()

    @classmethod
    def at_end(cls, session: Session) -> OutboxCursor:
        """A cursor past every committed row (before a full build, which reads their effect)."""
        latest = max_outbox_id(session)
        cursor = cls(latest)
        floor = latest - LOOKBACK_IDS
        cursor._recent = set(
            session.scalars(select(OutboxEvent.id).where(OutboxEvent.id > floor, OutboxEvent.topic == TOPIC))
        )
        return cursor

    def unseen(self, session: Session) -> list[tuple[int, int]]:
        """(id, specialist id) of rows in the window not applied yet, in id order."""
        rows = session.execute(
            select(OutboxEvent.id, OutboxEvent.entity_id)
            .where(OutboxEvent.id > self.high_water - LOOKBACK_IDS, OutboxEvent.topic == TOPIC)
            .order_by(OutboxEvent.id)
        ).all()
        return [(i, entity) for i, entity in rows if i not in self._recent]

    def is_behind(self, session: Session) -> bool:
        """Cheap check (one indexed range count) for rows this cursor has not applied."""
        latest, count = session.execute(
            select(func.max(OutboxEvent.id), func.count()).where(
                OutboxEvent.id > self.high_water - LOOKBACK_IDS, OutboxEvent.topic == TOPIC
            )
        ).one()
        return (latest or 0) > self.high_water or count > len(self._recent)

    def advance(self, events: list[tuple[int, int]]) -> None:
        """Record rows as applied and move the high-water mark."""
        self._recent.update(i for i, _ in events)
        self.high_water = max([self.high_water, *(i for i, _ in events)])
        floor = self.high_water - LOOKBACK_IDS
        self._recent = {i for i in self._recent if i > floor}


def max_outbox_id(session: Session) -> int:
    """The highest outbox id committed so far (0 for none)."""
    return session.scalar(select(func.max(OutboxEvent.id))) or 0


def pending_events(session: Session, after_id: int = 0, limit: int = 1000) -> list[OutboxEvent]:
    """Unprocessed rows in id order (the Elasticsearch indexer's queue)."""
    return list(
        session.scalars(
            select(OutboxEvent)
            .where(OutboxEvent.processed_at.is_(None), OutboxEvent.id > after_id)
            .order_by(OutboxEvent.id)
            .limit(limit)
        )
    )


def mark_processed(session: Session, ids: list[int]) -> None:
    """Record rows as delivered to the index (the caller commits)."""
    if ids:
        session.execute(
            update(OutboxEvent).where(OutboxEvent.id.in_(ids)).values(processed_at=datetime.now(UTC), last_error=None)
        )


def mark_failed(session: Session, ids: list[int], error: str) -> None:
    """Keep rows pending, counting the attempt and its error (the caller commits)."""
    if ids:
        session.execute(
            update(OutboxEvent)
            .where(OutboxEvent.id.in_(ids))
            .values(attempts=OutboxEvent.attempts + 1, last_error=error[:500])
        )


def prune(session: Session, before: datetime, keep_pending: bool) -> int:
    """Delete outbox rows created before `before`; with `keep_pending`, only those already delivered.

    The Elasticsearch indexer's pending rows are its queue and must survive (keep_pending=True). The
    embedded backend never marks rows: each process reads new rows within a second and a restarted
    one rebuilds from the tables, so a day-old row has been applied everywhere it ever will be.
    The caller commits.
    """
    condition = OutboxEvent.created_at < before
    if keep_pending:
        condition = condition & OutboxEvent.processed_at.is_not(None)
    return cast(CursorResult, session.execute(delete(OutboxEvent).where(condition))).rowcount or 0


@contextlib.contextmanager
def read_consistently(session: Session) -> Iterator[None]:
    """Run the reads of a build in one snapshot that takes no lock.

    PostgreSQL: REPEATABLE READ. SQLite: a deferred BEGIN, whose WAL snapshot starts at the first
    read and never takes the write lock (every other transaction begins IMMEDIATE).
    """
    if session.get_bind().dialect.name == "postgresql":
        session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
    else:
        session.connection(execution_options={"sqlite_deferred": True})
    try:
        yield
    finally:
        session.rollback()  # read-only: end the snapshot


def reindex(backend, session_factory, progress: Callable[[str], None] | None = None) -> int:
    """Rebuild the backend's index from the database; returns the number of documents."""
    return backend.rebuild(session_factory, progress)


def follow(
    backend,
    session_factory,
    interval_s: float = 1.0,
    stop: threading.Event | None = None,
    progress: Callable[[str], None] | None = None,
) -> int:
    """Apply the outbox every `interval_s` until `stop` is set; returns the rows applied in all."""
    stop = stop or threading.Event()
    say, applied = progress or log.info, 0
    try:
        while not stop.is_set():
            try:
                report = backend.apply_outbox(session_factory)
            except Exception as exc:  # the backend is down: rows stay pending, try again later
                say(f"index unavailable ({type(exc).__name__}); outbox rows stay pending")
            else:
                applied += report.applied
                if report.applied or report.failed:
                    say(report.describe())
            stop.wait(interval_s)
    except KeyboardInterrupt:  # Ctrl-C ends the worker; a delivery it cut short leaves its rows pending
        say("interrupted")
    return applied
