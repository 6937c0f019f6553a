"""Fixtures of the cluster tests: one real OpenSearch node per session, one seeded directory per session."""
from __future__ import annotations

import os
import uuid

import pytest

from search.backends.elasticsearch import ElasticsearchBackend
from search.backends.opensearch import OpenSearchBackend
from tests.search_es.clients import elasticsearch_on_opensearch, recording_opensearch
from tests.search_es.directory import seeded_directory
from tests.search_es.nodes import SearchCluster


# Modules whose tests read only the seeded directory (a SQLite file of their own), never the suite's
# database: they run once, in the SQLite pass, and are deselected in the PostgreSQL pass.
DATABASE_INDEPENDENT = {f"tests.search_es.{name}" for name in
                        ("test_parity", "test_live_reindex", "test_three_nodes", "test_bulk_errors", "test_contract",
                         "test_nodes")}


def pytest_collection_modifyitems(config, items):
    """In the PostgreSQL pass, leave out the modules that do not touch the suite's database."""
    if not os.environ.get("SECONDLOOK_TEST_DATABASE_URL", "").startswith("postgresql"):
        return
    once = [item for item in items if item.module.__name__ in DATABASE_INDEPENDENT]
    if once:
        config.hook.pytest_deselected(items=once)
        items[:] = [item for item in items if item not in once]


@pytest.fixture(scope="session")
def opensearch(tmp_path_factory):
    """One real OpenSearch node on a free loopback port, shared by the session (fails if it cannot start)."""
    with SearchCluster(tmp_path_factory.mktemp("opensearch"), nodes=1) as cluster:
        yield cluster


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
