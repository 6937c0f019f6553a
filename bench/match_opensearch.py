"""The OpenSearch backend in the matching benchmark: load the seeded directory into a node, match through it.

The backend is the app's own (`search.backends.opensearch`): the candidate query runs on the
node, re-checking and ranking in this (pinned) process, so latency is the whole match.
"""
from __future__ import annotations

import time

from sqlalchemy.orm import sessionmaker

from search.backends.opensearch import OpenSearchBackend
from search.es.engines import OpenSearchEngine

BUILD_TIMEOUT_S = 600.0  # a bulk chunk on a busy machine; matches keep the app's 5 s


def alias_for(size: int) -> str:
    """The alias the benchmark's index of `size` specialists sits behind."""
    return f"bench-specialists-{size}"


def prepare(size: int, db, url: str):
    """(build seconds, match function) for the OpenSearch backend over the directory in `db`."""
    factory = sessionmaker(db)
    loader = OpenSearchBackend(OpenSearchEngine.connect([url], BUILD_TIMEOUT_S, 0), alias_for(size),
                               session_factory=factory)
    started = time.perf_counter()
    loader.rebuild(progress=lambda message: None)
    build_s = time.perf_counter() - started
    backend = OpenSearchBackend(OpenSearchEngine.connect([url], 5.0, 0), alias_for(size), session_factory=factory)

    def match(case):
        result = backend.match(case)
        return [c.specialist_id for c in result.candidates], result.total
    return build_s, match


def index_size_mb(url: str, size: int) -> float:
    """The store size (primaries) of the index behind the benchmark's alias, in MB."""
    client = OpenSearchEngine.connect([url], 30.0, 0)
    stats = client.indices.stats(index=alias_for(size), metric="store")
    return round(stats["_all"]["primaries"]["store"]["size_in_bytes"] / 1e6, 1)
