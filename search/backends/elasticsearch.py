"""The Elasticsearch backend: the cluster backend on Elasticsearch 9, through the official client.

Settings: ELASTICSEARCH_URL (comma-separated nodes), ELASTICSEARCH_INDEX (the alias),
ELASTICSEARCH_TIMEOUT_S.
"""

from __future__ import annotations

from search.backends.cluster import ClusterBackend
from search.es.engines import ElasticsearchEngine


class ElasticsearchBackend(ClusterBackend):
    """Search through an Elasticsearch alias; the database stays the source of truth."""

    engine_class = ElasticsearchEngine
