"""A three-node cluster with a replica: stopping the node that holds the primary loses no query.

The cluster runs in three processes of its own (not the session's single node); the index gets
one replica, so every shard has a copy on a second node. The node holding the primary is
stopped (SIGTERM) while a thread keeps matching through a client that knows all three nodes:
every query must be answered, and answered completely.
"""
from __future__ import annotations

import time

import pytest

from search.backends.cluster import CLIENT_RETRIES
from search.backends.opensearch import OpenSearchBackend
from search.es.engines import OpenSearchEngine
from tests.search_es.nodes import SearchCluster
from tests.search_es.traffic import QueryTraffic

ALIAS = "three-nodes"
BEFORE_STOP = 10  # queries answered by the whole cluster first
AFTER_STOP = 60  # queries that must be answered once the node is gone


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """Three OpenSearch nodes, one process each, formed into one green cluster."""
    with SearchCluster(tmp_path_factory.mktemp("three_nodes"), nodes=3) as nodes:
        yield nodes


def primary_holder(client, alias: str) -> int:
    """The member whose node holds the primary copy of the alias's one shard."""
    shards = client.cat.shards(index=alias, format="json")
    [primary] = [shard for shard in shards if shard["prirep"] == "p"]
    return int(primary["node"].removeprefix("node-"))


def test_stopping_the_primary_node_leaves_every_query_answered(cluster, directory):
    factory, _docs = directory
    client = OpenSearchEngine.connect(cluster.urls, 5.0, CLIENT_RETRIES)
    backend = OpenSearchBackend(client, ALIAS, session_factory=factory)
    backend.rebuild(factory, progress=lambda _line: None)
    client.indices.put_settings(index=ALIAS, body={"index": {"number_of_replicas": 1}})
    health = client.cluster.health(index=ALIAS, wait_for_status="green", params={"timeout": "120s"},
                                   request_timeout=130)
    assert health["status"] == "green" and health["number_of_nodes"] == 3
    victim = primary_holder(client, ALIAS)
    with QueryTraffic(backend, directory, seed=3) as traffic:
        _await_answers(traffic, BEFORE_STOP)
        before = len(traffic.answers)
        cluster.stop(victim)
        stopped_at = len(traffic.answers)
        _await_answers(traffic, stopped_at + AFTER_STOP)
    survivors = OpenSearchEngine.connect([url for member, url in enumerate(cluster.urls) if member != victim],
                                         5.0, CLIENT_RETRIES)
    assert survivors.cluster.health()["number_of_nodes"] == 2
    assert primary_holder(survivors, ALIAS) != victim, "the replica was not promoted"
    assert before >= BEFORE_STOP, "too few queries ran before the stop"
    assert len(traffic.answers) >= stopped_at + AFTER_STOP, "too few queries ran after the stop"
    assert traffic.failures == []
    assert all(traffic.answers), f"{traffic.answers.count(False)} of {len(traffic.answers)} answers were incomplete"


def _await_answers(traffic: QueryTraffic, count: int, timeout_s: float = 120.0) -> None:
    deadline = time.monotonic() + timeout_s
    while len(traffic.answers) < count and time.monotonic() < deadline:
        time.sleep(0.05)
