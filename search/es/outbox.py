"""Delivering outbox rows to the cluster: re-index the named specialists, then mark the rows processed.

A row is marked processed only once every document of its specialist is written; on a transport
failure or a per-document error it stays pending with its attempt counted and the error kept,
so the next run (after commit, or the `reindex --follow` worker) delivers it. Nothing is lost
while the cluster is down.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import cast

from sqlalchemy import CursorResult, update

from api.models import OutboxEvent
from api.unit_of_work import unit_of_work
from search.backends.base import SessionFactory, SyncReport
from search.documents import build_documents
from search.es.engines import Engine
from search.es.indexer import delete_actions, ensure_alias, index_actions, write
from search.sync import mark_failed, mark_processed, max_outbox_id, pending_events, read_consistently

log = logging.getLogger(__name__)
BATCH = 500
ID_CHUNK = 200  # specialists per lookup of their indexed documents (stays under max_result_window)
CLOCK_SKEW = timedelta(minutes=5)  # replay margin: rows may be stamped by another machine's clock


def apply_outbox(engine: Engine, alias: str, session_factory: SessionFactory, batch: int = BATCH) -> SyncReport:
    """Deliver pending rows in id order, batch by batch, until none are left or a batch fails."""
    report = SyncReport()
    while True:
        with session_factory() as session:
            rows = [(row.id, row.entity_id) for row in pending_events(session, limit=batch)]
        if not rows:
            return report
        failed = _deliver(engine, alias, session_factory, sorted({entity for _, entity in rows}))
        done = [i for i, entity in rows if entity not in failed]
        with session_factory() as session, unit_of_work(session):
            mark_processed(session, done)
            for entity, error in failed.items():
                mark_failed(session, [i for i, e in rows if e == entity], error)
        report.applied += len(done)
        report.failed += len(rows) - len(done)
        report.specialists += len({entity for _, entity in rows} - failed.keys())
        report.high_water = max([report.high_water, *done])
        if failed:
            sid, error = next(iter(failed.items()))
            log.warning("%d specialists left pending in the outbox (specialist %s: %s)", len(failed), sid, error)
        if failed or len(rows) < batch:  # a failing cluster is retried on the next run, not spun on
            return report


def _deliver(engine: Engine, alias: str, session_factory: SessionFactory, ids: list[int]) -> dict[int, str]:
    """Write the current documents of `ids` through the alias; returns {specialist id: error} for failures."""
    try:
        with session_factory() as session, read_consistently(session):
            # The version and the documents come from one snapshot: a write built from a newer
            # snapshot always carries a version at least as high, so a late, older one loses.
            version = max_outbox_id(session)
            docs = list(build_documents(session, ids))
        ensure_alias(engine, alias)
        owner = {doc["doc_id"]: doc["specialist_id"] for doc in docs}
        gone = {doc_id: sid for doc_id, sid in indexed_documents(engine, alias, ids).items() if doc_id not in owner}
        owner.update(gone)
        actions = [*index_actions(docs, alias, lambda _doc: version), *delete_actions(gone, alias, lambda _id: version)]
        result = write(engine, actions, require_alias=True)
    except engine.errors as exc:  # unreachable, timed out, or refused as a whole
        return {sid: f"{type(exc).__name__}: {exc}" for sid in ids}
    failed: dict[int, str] = {}
    for doc_id, reason in result.errors:
        failed.setdefault(owner.get(doc_id, -1), reason)
    return failed


def indexed_documents(engine: Engine, alias: str, ids: list[int]) -> dict[str, int]:
    """{doc_id: specialist id} of what the index holds for these specialists (to find deleted locations)."""
    # Search sees refreshed writes only: without this, a location indexed under a second ago and
    # deleted now would be missed and stay searchable.
    engine.refresh(alias)
    found: dict[str, int] = {}
    for start in range(0, len(ids), ID_CHUNK):
        chunk = ids[start : start + ID_CHUNK]
        response = engine.search(alias, indexed_documents_search(chunk))
        for hit in response["hits"]["hits"]:
            found[hit["_id"]] = hit["_source"]["specialist_id"]
    return found


def indexed_documents_search(ids: list[int]) -> dict:
    """The search body listing the documents of some specialists (ids only)."""
    return {
        "query": {"bool": {"filter": [{"terms": {"specialist_id": ids}}]}},
        "_source": ["specialist_id"],
        "size": 10_000,
    }


def redeliver_since(session_factory: SessionFactory, started: datetime) -> int:
    """Mark pending again the rows delivered since `started` (they went to an index just retired)."""
    with session_factory() as session, unit_of_work(session):
        result = session.execute(
            update(OutboxEvent).where(OutboxEvent.processed_at >= started - CLOCK_SKEW).values(processed_at=None)
        )
    return cast(CursorResult, result).rowcount


def now() -> datetime:
    """The current time, timezone-aware UTC."""
    return datetime.now(UTC)
