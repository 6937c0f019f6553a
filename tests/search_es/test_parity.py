"""Parity on a real engine: OpenSearch, and the Elasticsearch client through it, answer as the embedded backend.

All backends are built from the same seeded database. The cluster retrieves the candidates with
the real query on a real OpenSearch node; the cluster backend then re-checks and ranks them with
`search.ranking.rank`, as the embedded backend does. So the answers must be identical: the same
specialists in the same order with the same scores (compared exactly, which is stricter than 6
decimal places), the same score parts, distances, coverage verdicts, reasons and totals.
"""
from __future__ import annotations

import pytest

from search.backends.embedded import EmbeddedBackend
from search.ranking import rank
from search.retrieval import qualifies
from tests.search_es.cases import random_cases
from tests.search_es.conftest import cluster_backend
from tests.search_es.traffic import top

CASES = 500
ELASTICSEARCH_CASES = 120  # the same query bodies through the other client: a sample suffices
REFERENCE_CASES = 150  # also checked against the pure-Python predicate and ranking (slow: a scan per case)


@pytest.fixture(scope="module")
def cases(directory):
    """500 reproducible random cases over the seeded directory."""
    return random_cases(2026, directory[1], CASES)


@pytest.fixture(scope="module")
def qualifying(directory, cases):
    """For the first cases, the documents the pure-Python predicate of `search.retrieval` keeps (the reference)."""
    return [[doc for doc in directory[1] if qualifies(case, doc)] for case in cases[:REFERENCE_CASES]]


@pytest.fixture(scope="module")
def embedded(directory):
    """The embedded backend built from the seeded database."""
    factory, _docs = directory
    backend = EmbeddedBackend(session_factory=factory)
    backend.rebuild(factory, progress=lambda _line: None)
    return backend


@pytest.fixture(scope="module", params=["opensearch", "elasticsearch"])
def built(request, opensearch, admin, directory):
    """A cluster backend of each engine's client, built from the seeded database on the real node."""
    factory, _docs = directory
    alias = f"parity-{request.param}"
    backend = cluster_backend(request.param, opensearch.url(), alias, session_factory=factory)
    backend.rebuild(factory, progress=lambda _line: None)
    yield backend
    admin.indices.delete(index=f"{alias}*", ignore=404)


def test_the_cluster_backend_and_the_embedded_backend_agree_on_random_cases(built, embedded, cases, qualifying):
    count = CASES if built.name == "opensearch" else ELASTICSEARCH_CASES
    disagreements, answered = [], 0
    for number, case in enumerate(cases[:count]):
        from_cluster, from_embedded = built.match(case), embedded.match(case)
        reference = rank(case, qualifying[number]) if number < REFERENCE_CASES else from_embedded.candidates
        answered += bool(from_cluster.candidates)
        if not top(from_cluster.candidates) == top(from_embedded.candidates) == top(reference):
            disagreements.append((number, case, top(from_cluster.candidates)[:3], top(from_embedded.candidates)[:3]))
        elif from_cluster.total != from_embedded.total:
            disagreements.append((number, case, from_cluster.total, from_embedded.total))
    assert disagreements == []
    assert answered >= count * 0.6, "too few cases found anyone: the comparison would prove little"


def test_the_cases_vary_every_constraint(cases):
    # The comparison above is only as broad as its cases: each kind of constraint must occur often.
    kinds = {
        "conditions": sum(bool(c.conditions) for c in cases), "specialty only": sum(not c.conditions for c in cases),
        "no place": sum(c.point is None for c in cases), "telehealth": sum(c.telehealth_ok for c in cases),
        "plan": sum(c.has_plan for c in cases), "self pay": sum(c.self_pay for c in cases),
        "languages": sum(bool(c.languages) for c in cases),
        "excluded": sum(bool(c.exclude_specialist_ids or c.exclude_institution_ids or c.exclude_institution_names)
                        for c in cases),
    }
    assert min(kinds.values()) >= 25, kinds


def test_a_small_fetch_still_keeps_the_top_ten(opensearch, alias, directory, cases, qualifying):
    # Six documents fetched per result wanted: the engine's approximate score must rank the true
    # top ten among them almost always (the default fetch is a hundred per result).
    factory, _docs = directory
    backend = cluster_backend("opensearch", opensearch.url(), alias, session_factory=factory, candidate_cap=60)
    backend.rebuild(factory, progress=lambda _line: None)
    over_cap = same = 0
    for case, docs in zip(cases, qualifying, strict=False):  # the reference cases: only they have a full scan
        if len(docs) <= backend.candidate_cap:
            continue
        over_cap += 1
        same += top(backend.match(case).candidates) == top(rank(case, docs))
    assert over_cap >= 15, "too few cases exceed the fetch size for the comparison to prove anything"
    assert same >= 0.9 * over_cap
