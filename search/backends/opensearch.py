"""The OpenSearch backend: the cluster backend on OpenSearch 2, through `opensearch-py`.

Same mapping, query, indexer and outbox as the Elasticsearch backend (`search.es`); the engine
adapter `search.es.engines.OpenSearchEngine` names the few ways the two clients differ.
Settings: OPENSEARCH_URL (comma-separated nodes), OPENSEARCH_INDEX (the alias),
OPENSEARCH_TIMEOUT_S. In production OPENSEARCH_URL points at the deployment's own cluster (AWS
OpenSearch Service or self-hosted; `https://user:password@host:443` for basic auth); locally
`make opensearch` starts one node.
"""

from __future__ import annotations

from search.backends.cluster import ClusterBackend
from search.es.engines import OpenSearchEngine


class OpenSearchBackend(ClusterBackend):
    """Search through an OpenSearch alias; the database stays the source of truth."""

    engine_class = OpenSearchEngine
