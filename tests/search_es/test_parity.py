"""Parity: the Elasticsearch path and the embedded backend give the same top 10 for 200 random cases.

Both backends are built from the same seeded database. The fake node evaluates the emitted DSL,
so the Elasticsearch candidate set is the one the query really selects; the Elasticsearch path
then re-ranks with `search.ranking.rank`, which the embedded backend also ends with.
"""
from __future__ import annotations

import pytest

from search.backends.elasticsearch import ElasticsearchBackend
from search.backends.embedded import EmbeddedBackend
from search.ranking import rank
from search.retrieval import qualifies
from tests.search_es.cases import random_cases
from tests.search_es.fake_es import ALIAS, es_client

CASES = 200


def top(candidates) -> list[tuple]:
    """What must agree: who, where, the score and its parts, the distance and the coverage verdict."""
    return [(c.specialist_id, c.practice_location_id, c.score, tuple(sorted(c.score_breakdown.items())),
             c.distance_mi, c.coverage_status, tuple(c.reasons)) for c in candidates]


@pytest.fixture(scope="module")
def cases(directory):
    """200 reproducible random cases over the seeded directory."""
    return random_cases(2026, directory[1], CASES)


@pytest.fixture(scope="module")
def qualifying(directory, cases):
    """Per case, the documents the pure-Python predicate of `search.retrieval` keeps (the reference)."""
    return [[doc for doc in directory[1] if qualifies(case, doc)] for case in cases]


@pytest.fixture(scope="module")
def embedded(directory):
    """The embedded backend built from the seeded database."""
    factory, _docs = directory
    backend = EmbeddedBackend(session_factory=factory)
    backend.rebuild(factory, progress=lambda _line: None)
    return backend


def test_elasticsearch_path_and_embedded_backend_agree_on_200_random_cases(es_backend, embedded, cases, qualifying):
    disagreements, answered = [], 0
    for number, case in enumerate(cases):
        from_es, from_embedded = es_backend.match(case), embedded.match(case)
        reference = rank(case, qualifying[number])
        answered += bool(from_es.candidates)
        if not top(from_es.candidates) == top(from_embedded.candidates) == top(reference):
            disagreements.append((number, case, top(from_es.candidates)[:3], top(from_embedded.candidates)[:3]))
        elif from_es.total != from_embedded.total:
            disagreements.append((number, case, from_es.total, from_embedded.total))
    assert disagreements == []
    assert answered >= CASES * 0.6, "too few cases found anyone: the comparison would prove little"


def test_a_small_fetch_still_keeps_the_top_ten(fake_es, directory, cases, qualifying):
    # Six documents fetched per result wanted: the approximate score must rank the true top
    # ten among them almost always (the default fetch is a hundred per result).
    factory, _docs = directory
    backend = ElasticsearchBackend(es_client(fake_es.url), ALIAS, session_factory=factory, candidate_cap=60)
    backend.rebuild(factory)
    over_cap = same = 0
    for case, docs in zip(cases, qualifying):  # all 200: age and licence constraints shrink many answers
        if len(docs) <= backend.candidate_cap:
            continue
        over_cap += 1
        same += top(backend.match(case).candidates) == top(rank(case, docs))
    assert over_cap >= 20, "the sample never exceeded the fetch size"
    assert same >= 0.9 * over_cap
