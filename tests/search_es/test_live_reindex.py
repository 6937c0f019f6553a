"""`reindex` while queries run: the alias swap is atomic, so no query fails or sees a half-built index.

A full build of the seeded directory stands behind the alias; two rebuilds then load new indices
and swap the alias while a thread keeps matching. Every answer must be the complete one (equal
to the embedded backend's): a query that reached an empty or half-loaded index would find fewer
specialists, and one that reached a deleted index would fail.
"""
from __future__ import annotations

from tests.search_es.conftest import cluster_backend
from tests.search_es.test_sync import behind
from tests.search_es.traffic import QueryTraffic

REBUILDS = 2


def test_queries_during_reindex_all_get_the_complete_answer(opensearch, admin, alias, directory):
    factory, _docs = directory
    backend = cluster_backend("opensearch", opensearch.url(), alias, session_factory=factory)
    backend.rebuild(factory, progress=lambda _line: None)
    indices = [behind(admin, alias)]
    with QueryTraffic(backend, directory, seed=99) as traffic:
        for _ in range(REBUILDS):
            backend.rebuild(factory, progress=lambda _line: None)
            indices.append(behind(admin, alias))
    assert traffic.failures == []
    assert len({tuple(i) for i in indices}) == REBUILDS + 1, "the alias did not move to a new index each time"
    assert len(traffic.answers) >= 20, "too few queries ran during the rebuilds"
    assert all(traffic.answers), f"{traffic.answers.count(False)} of {len(traffic.answers)} answers were incomplete"
