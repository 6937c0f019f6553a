"""The cluster backend (Elasticsearch or OpenSearch): the candidate query runs in the cluster, the ranking here.

The cluster retrieves the documents that pass the hard constraints (best first by an
approximate score, up to `candidate_cap`); the exact predicate of `search.retrieval` then
applies in Python and `search.ranking.rank` orders them, the same function the embedded
backend ends with, so both backends answer a case identically.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator

from sqlalchemy import select

from api.models import Specialist
from search.backends.base import (
    MatchResult,
    Progress,
    SearchUnavailable,
    SessionFactory,
    SyncReport,
    pick_session_factory,
)
from search.case import MatchCase
from search.documents import BATCH, build_documents
from search.es import indexer, outbox
from search.es.engines import Engine
from search.es.query import candidate_search
from search.ranking import rank, warnings_for
from search.retrieval import qualifies
from search.sync import max_outbox_id, read_consistently

log = logging.getLogger(__name__)
CANDIDATE_CAP = 1000  # documents fetched per match; beyond it the approximate score decides who is left out
CLIENT_RETRIES = 2  # per request, on connection errors, timeouts and 429/502/503/504


def node_urls(setting: str) -> list[str]:
    """The node URLs of a comma-separated `*_URL` setting."""
    return [url.strip() for url in setting.split(",") if url.strip()]


class ClusterBackend:
    """Search through an alias on a cluster; the database stays the source of truth.

    A subclass names its engine (`engine_class`); its settings are `<ENGINE NAME>_URL`, `_INDEX`
    and `_TIMEOUT_S`.
    """

    engine_class: type[Engine]

    def __init__(
        self, client, alias: str, session_factory: SessionFactory | None = None, candidate_cap: int = CANDIDATE_CAP
    ) -> None:
        self.engine = self.engine_class(client)
        self.alias = alias
        self.candidate_cap = candidate_cap
        self._session_factory = session_factory

    @classmethod
    def from_config(cls, config) -> ClusterBackend:
        """A backend for <ENGINE>_URL (comma-separated nodes) and the <ENGINE>_INDEX alias.

        Every request is bounded by <ENGINE>_TIMEOUT_S and retried on another node when the
        connection fails or times out.
        """
        prefix = cls.engine_class.name.upper()
        client = cls.engine_class.connect(
            node_urls(config[f"{prefix}_URL"]), float(config[f"{prefix}_TIMEOUT_S"]), CLIENT_RETRIES
        )
        return cls(client, config[f"{prefix}_INDEX"])

    @property
    def name(self) -> str:
        """The engine's name: "elasticsearch" or "opensearch"."""
        return self.engine.name

    @property
    def client(self):
        """The engine's own Python client."""
        return self.engine.client

    def ping(self) -> bool:
        """True when the cluster answers."""
        return self.engine.ping()

    def match(self, case: MatchCase) -> MatchResult:
        """Candidates for a case: retrieved by the cluster, re-checked and ranked here."""
        started = time.perf_counter()
        try:
            response = self.engine.search(self.alias, candidate_search(case, self.candidate_cap))
        except self.engine.errors as exc:  # down, timed out, or no index behind the alias yet
            log.warning("search backend unavailable: %s", type(exc).__name__)
            raise SearchUnavailable(type(exc).__name__) from exc
        hits = response["hits"]
        docs = [doc for doc in (hit["_source"] for hit in hits["hits"]) if qualifies(case, doc)]
        truncated = hits["total"]["value"] > len(hits["hits"])
        if truncated:
            log.info("match fetched %d of %d qualifying documents", len(hits["hits"]), hits["total"]["value"])
            # Approximate (HyperLogLog, counted on the query's slightly looser filter): within a few
            # specialists of the exact count in docs/performance.md's 100k run.
            total = response["aggregations"]["specialists"]["value"]
        else:
            total = len({doc["specialist_id"] for doc in docs})
        took_ms = (time.perf_counter() - started) * 1000.0
        return MatchResult(rank(case, docs), total, round(took_ms, 3), warnings_for(case))

    def rebuild(self, session_factory: SessionFactory | None = None, progress: Progress | None = None) -> int:
        """Load a new versioned index from the database and swap the alias to it; returns the document count."""
        factory, say = self._factory(session_factory), progress or log.info
        started = outbox.now()
        with factory() as session, read_consistently(session):
            version = max_outbox_id(session)
        count = indexer.rebuild(self.engine, self.alias, _directory_documents(factory), version, say)
        # Whatever changed while the new index loaded was delivered to the retired one (or read
        # before it changed): deliver those rows again, now to the new index.
        outbox.redeliver_since(factory, started)
        self.apply_outbox(factory)
        return count

    def apply_outbox(self, session_factory: SessionFactory | None = None) -> SyncReport:
        """Deliver pending outbox rows; failed ones stay pending with their error."""
        return outbox.apply_outbox(self.engine, self.alias, self._factory(session_factory))

    def refresh(self) -> None:
        """Deliver pending rows, then make every write visible to the next search."""
        self.apply_outbox()
        self.engine.refresh(self.alias)

    def _factory(self, session_factory: SessionFactory | None) -> SessionFactory:
        return pick_session_factory(session_factory, self._session_factory)


def _directory_documents(factory: SessionFactory) -> Iterator[dict]:
    """Every document, read batch by batch in short transactions.

    Each batch is a read of its own (no write lock on SQLite) and no transaction stays open for
    the whole load; a change committed meanwhile has an outbox row, delivered again after the swap.
    """
    last = 0
    while True:
        with factory() as session, read_consistently(session):
            ids = list(
                session.scalars(select(Specialist.id).where(Specialist.id > last).order_by(Specialist.id).limit(BATCH))
            )
            docs = list(build_documents(session, ids))
        if not ids:
            return
        yield from docs
        last = ids[-1]
