"""A bulk request with bad documents: the cluster reports each one with its reason and indexes the rest."""
from __future__ import annotations

import pytest

from search.es import indexer
from tests.search_es.conftest import cluster_backend
from tests.search_es.test_sync import indexed

GOOD = [{"doc_id": str(n), "specialist_id": n, "practice_location_id": n, "city": "Boston",
         "location": {"lat": 42.36, "lon": -71.06}, "next_available": "2026-12-01T09:00:00+00:00"}
        for n in range(1, 41)]
BAD = {
    "101": {"doc_id": "101", "specialist_id": 101, "unmapped_field": 1},  # strict mapping
    "102": {"doc_id": "102", "specialist_id": 102, "location": {"lat": 123.0, "lon": 0.0}},  # latitude out of range
    "103": {"doc_id": "103", "specialist_id": 103, "next_available": "next tuesday"},  # not a date
    "104": {"doc_id": "104", "specialist_id": "one hundred and four"},  # not a long
}
REASONS = {"101": "strict_dynamic_mapping_exception", "102": "mapper_parsing_exception",
           "103": "mapper_parsing_exception", "104": "mapper_parsing_exception"}


@pytest.mark.parametrize("engine", ["opensearch", "elasticsearch"])
def test_each_bad_document_is_reported_and_the_rest_are_indexed(opensearch, admin, alias, engine):
    backend = cluster_backend(engine, opensearch.url(), alias)
    indexer.ensure_alias(backend.engine, alias)
    docs = GOOD[:20] + list(BAD.values()) + GOOD[20:]  # bad ones in the middle of one chunk
    report = indexer.write(backend.engine, indexer.index_actions(docs, alias, lambda _doc: 1), require_alias=True)
    assert report.written == len(GOOD)
    assert {doc_id for doc_id, _reason in report.errors} == set(BAD)
    for doc_id, reason in report.errors:
        assert reason.startswith(REASONS[doc_id]), (doc_id, reason)
    assert set(indexed(admin, alias)) == {doc["doc_id"] for doc in GOOD}
