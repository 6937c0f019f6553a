"""Contract: every request the backend sends conforms to Elastic's specification, and names mapped fields.

Requests are recorded as the official Elasticsearch client puts them on the wire while the
backend builds, syncs and searches, on a real OpenSearch node (`tests.search_es.clients`): so
each body is held to Elastic's specification and also run for real where the engines agree.
"""
from __future__ import annotations

import pytest

from api.models import OutboxEvent
from search.documents import INDEX_FIELDS
from search.es.mapping import MAPPINGS, field_type, index_body
from search.es.outbox import indexed_documents_search
from search.es.query import candidate_search
from tests.search_es.cases import random_cases
from tests.search_es.conftest import cluster_backend
from tests.search_es.contract import load_contract, request_problems
from tests.search_es.query_fields import ACCEPTS, named_fields


@pytest.fixture(scope="module")
def contract():
    """es_contract from ../shared/elasticsearch (skips without it; fails under CI=true)."""
    return load_contract()


@pytest.fixture(scope="module")
def cases(directory):
    """120 random cases over the seeded directory."""
    return random_cases(7, directory[1], 120)


def test_index_creation_body_conforms(contract):
    assert contract.validate("indices.create", index_body()) == []
    assert contract.validate("indices.create", index_body(bulk_load=True)) == []


def test_the_checks_are_not_vacuous(contract, cases):
    wrong_type = index_body()
    wrong_type["mappings"]["properties"]["location"] = {"type": "geo_pointt"}
    assert contract.validate("indices.create", wrong_type)
    body = candidate_search(cases[0], 100)
    assert contract.validate("search", {**body, "querry": body["query"]})
    assert contract.validate("search", {**body, "query": {"termz": {"accepting": True}}})


def test_every_request_sent_while_building_syncing_and_matching_conforms(contract, opensearch, alias, cases,
                                                                        directory):
    factory, docs = directory
    sent = []
    es_backend = cluster_backend("elasticsearch", opensearch.url(), alias, sent, session_factory=factory)
    es_backend.rebuild(factory, progress=lambda _line: None)
    for case in cases[:40]:
        assert es_backend.match(case).total >= 0
    with factory() as session:  # rows naming specialists whose documents are unchanged: harmless to share
        session.add_all(OutboxEvent(topic="specialist", entity_id=doc["specialist_id"]) for doc in docs[:5])
        session.commit()
    assert es_backend.apply_outbox().applied == 5
    kinds = {r.path.rsplit("/", 1)[-1] for r in sent}
    assert {"_settings", "_bulk", "_aliases", "_search"} <= kinds
    assert any(r.method == "PUT" and r.path.count("/") == 1 for r in sent), "no index creation recorded"
    problems = [f"{r.method} {r.path}: {p}" for r in sent
                for p in request_problems(contract, r.method, r.path, r.body)]
    assert problems == []


def test_search_bodies_of_random_cases_conform(contract, cases):
    for case in cases:
        assert contract.validate("search", candidate_search(case, 1000)) == [], case
    assert contract.validate("search", indexed_documents_search([1, 2, 3])) == []


def test_every_field_a_query_names_is_mapped_with_a_type_that_query_accepts(cases):
    bodies = [candidate_search(case, 1000) for case in cases] + [indexed_documents_search([1])]
    uses = {use for body in bodies for use in named_fields(body)}
    assert {"geo_distance", "terms", "nested", "range", "decay"} <= {use for use, _, _ in uses}
    for use, field, scope in sorted(uses):
        mapped = field_type(field)
        assert mapped is not None, f"{use} names {field!r}, which the mapping lacks"
        assert ACCEPTS[use] is None or mapped in ACCEPTS[use], f"{use} on {field!r} of type {mapped}"
        assert field.startswith(scope + ".") if scope else True, f"{field!r} is outside its nested path {scope!r}"
        if not scope and use != "nested":
            assert field_type(field.split(".")[0]) != "nested", f"{field!r} is nested: query it inside `nested`"


def test_the_mapping_covers_every_document_field(directory):
    assert set(MAPPINGS["properties"]) == set(INDEX_FIELDS)
    for doc in directory[1][:200]:
        assert set(doc) == set(INDEX_FIELDS)
        for condition in doc["conditions"]:
            assert set(condition) == set(MAPPINGS["properties"]["conditions"]["properties"])
