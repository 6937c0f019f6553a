"""Fixtures of the Elasticsearch tests: a fake node per test and one seeded directory per session."""
from __future__ import annotations

import pytest

from search.backends.elasticsearch import ElasticsearchBackend
from tests.search_es.directory import seeded_directory
from tests.search_es.fake_es import ALIAS, FakeElasticsearch, es_client


@pytest.fixture
def fake_es():
    """A recording, query-evaluating fake Elasticsearch node on 127.0.0.1."""
    with FakeElasticsearch() as node:
        yield node


@pytest.fixture(scope="session")
def directory(tmp_path_factory):
    """(session factory, documents) of a 2,000-specialist synthetic directory."""
    return seeded_directory(tmp_path_factory.mktemp("es_directory"))


@pytest.fixture
def es_backend(fake_es, directory):
    """An Elasticsearch backend over the seeded directory, built into the fake node."""
    factory, _docs = directory
    backend = ElasticsearchBackend(es_client(fake_es.url), ALIAS, session_factory=factory)
    backend.rebuild(factory)
    return backend
