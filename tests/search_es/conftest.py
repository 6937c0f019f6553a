"""Fixtures of the cluster tests: one real OpenSearch node per session, one seeded directory per session."""
from __future__ import annotations

import uuid

import pytest

from search.backends.elasticsearch import ElasticsearchBackend
from search.backends.opensearch import OpenSearchBackend
from tests.search_es.clients import elasticsearch_on_opensearch, recording_opensearch
from tests.search_es.directory import seeded_directory
from tests.search_es.nodes import SearchCluster


@pytest.fixture(scope="session")
def opensearch(tmp_path_factory):
    """One real OpenSearch node on a free loopback port, shared by the session (fails if it cannot start)."""
    cluster = SearchCluster(tmp_path_factory.mktemp("opensearch"), nodes=1)
    cluster.start()
    yield cluster
    cluster.stop()


@pytest.fixture(scope="session")
def admin(opensearch):
    """A plain opensearch-py client of the session's node, for looking at what the backends wrote."""
    return recording_opensearch(opensearch.url())


@pytest.fixture
def alias(admin):
    """An alias of this test's own (its indices are dropped afterwards)."""
    name = f"t-{uuid.uuid4().hex[:12]}"
    yield name
    admin.indices.delete(index=f"{name}*", ignore=404)


@pytest.fixture(scope="session")
def directory(tmp_path_factory):
    """(session factory, documents) of a 2,000-specialist synthetic directory."""
    return seeded_directory(tmp_path_factory.mktemp("es_directory"))


def cluster_backend(engine: str, url: str, alias: str, log: list | None = None, **kw):
    """The backend for `engine` against the real node at `url`: opensearch-py, or the Elasticsearch
    client through the OpenSearch adapter of `tests.search_es.clients`."""
    if engine == "opensearch":
        return OpenSearchBackend(recording_opensearch(url, log), alias, **kw)
    return ElasticsearchBackend(elasticsearch_on_opensearch(url, log), alias, **kw)
