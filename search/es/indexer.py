"""Writing to the cluster: bulk loads with per-document errors, and versioned indices behind the alias.

`rebuild` never touches the live index: it loads a new `<alias>-v<timestamp>` index, refreshes
it, then moves the alias in one atomic `POST _aliases` call, so searches see the old index or
the new one and never a half-built one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

from search.es.engines import Engine
from search.es.mapping import LIVE_SETTINGS, index_body, versioned_name

CHUNK_SIZE = 500
BULK_RETRIES = 3  # per chunk, for documents the cluster rejects with 429 (queue full)
INITIAL_BACKOFF_S = 0.5
PROGRESS_EVERY = 10_000
# Every write carries the outbox id it reflects; "external_gte" lets a replay of the same state
# through and turns an older state arriving late (two indexers racing) into a harmless conflict.
VERSION_TYPE = "external_gte"
FIRST_INDEX_TIME = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass
class BulkReport:
    """What a bulk write did, with every document that failed and why."""

    written: int = 0
    deleted: int = 0
    superseded: int = 0  # a newer version was already indexed: nothing to do
    errors: list[tuple[str, str]] = field(default_factory=list)  # (doc_id, reason)


class RebuildFailed(RuntimeError):
    """Some documents could not be indexed; the alias was left where it was."""


def index_actions(docs: Iterable[dict], index: str, version_of: Callable[[dict], int]) -> Iterator[dict]:
    """Bulk `index` actions for documents, each at the version `version_of(doc)` gives."""
    for doc in docs:
        yield {
            "_op_type": "index",
            "_index": index,
            "_id": doc["doc_id"],
            "_source": doc,
            "version": version_of(doc),
            "version_type": VERSION_TYPE,
        }


def delete_actions(doc_ids: Iterable[str], index: str, version: Callable[[str], int]) -> Iterator[dict]:
    """Bulk `delete` actions for documents whose practice location is gone."""
    for doc_id in doc_ids:
        yield {
            "_op_type": "delete",
            "_index": index,
            "_id": doc_id,
            "version": version(doc_id),
            "version_type": VERSION_TYPE,
        }


def write(
    engine: Engine, actions: Iterable[dict], *, require_alias: bool, progress: Callable[[str], None] | None = None
) -> BulkReport:
    """Stream actions through the bulk helper; per-document failures are reported, not raised.

    A transport failure (cluster unreachable after the client's retries) does raise: the
    caller decides what stays pending.
    """
    report = BulkReport()
    for ok, item in engine.streaming_bulk(
        actions,
        chunk_size=CHUNK_SIZE,
        max_retries=BULK_RETRIES,
        initial_backoff=INITIAL_BACKOFF_S,
        raise_on_error=False,
        raise_on_exception=False,
        require_alias=require_alias,
    ):
        ((op, result),) = item.items()
        if ok:
            report.deleted += op == "delete"
            report.written += op != "delete"
        elif result.get("status") == 409:
            report.superseded += 1
        elif op == "delete" and result.get("status") == 404:
            report.deleted += 1  # already gone
        else:
            report.errors.append((str(result.get("_id")), _reason(result)))
        done = report.written + report.deleted
        if progress and ok and done % PROGRESS_EVERY == 0:
            progress(f"{done} documents written")
    return report


def _reason(result: dict) -> str:
    error = result.get("error")
    if isinstance(error, dict):
        return f"{error.get('type')}: {error.get('reason')}"[:500]
    return str(error or result.get("status"))[:500]


def ensure_alias(engine: Engine, alias: str) -> None:
    """Make the alias exist (an empty first index behind it) so writes through it have a target.

    The first index has a fixed name, so processes starting together agree on it rather than
    each pointing the alias at an index of its own.
    """
    if engine.indices_behind(alias):
        return
    name = versioned_name(alias, FIRST_INDEX_TIME)
    engine.create_index(name, index_body())  # already there: another process won
    engine.update_aliases([{"add": {"index": name, "alias": alias}}])


def rebuild(
    engine: Engine, alias: str, docs: Iterable[dict], version: int, progress: Callable[[str], None] | None = None
) -> int:
    """Load `docs` into a new versioned index, then swap the alias to it atomically; returns the count."""
    name = versioned_name(alias)
    engine.create_index(name, index_body(bulk_load=True))
    try:
        report = write(engine, index_actions(docs, name, lambda _doc: version), require_alias=False, progress=progress)
        if report.errors:
            raise RebuildFailed(f"{len(report.errors)} documents failed, first: {report.errors[:3]}")
        engine.put_settings(name, LIVE_SETTINGS)
        engine.refresh(name)
    except BaseException:
        engine.delete_index(name)  # leave no half-built index
        raise
    old = engine.indices_behind(alias)
    engine.update_aliases(
        [*({"remove": {"index": i, "alias": alias}} for i in old), {"add": {"index": name, "alias": alias}}]
    )
    for index in old:
        engine.delete_index(index)
    if progress:
        progress(f"alias {alias} -> {name} ({report.written} documents)")
    return report.written
