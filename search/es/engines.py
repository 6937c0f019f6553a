"""The two engines the cluster backend runs on, Elasticsearch 9 and OpenSearch 2, behind the few calls it makes.

The mapping (`search.es.mapping`), the query (`search.es.query`) and the indexing protocol
(`search.es.indexer`, `search.es.outbox`) are one and the same for both engines. Only their Python
clients differ, and every difference is named here:

- PRODUCT CHECK: the `elasticsearch` 9 client refuses any server that does not say it is
  Elasticsearch and sends `compatible-with=9` media types, so OpenSearch needs `opensearch-py`.
- CALL STYLE: `elasticsearch` takes a request body as keyword arguments (`settings=`, `query=`);
  `opensearch-py` takes one `body=`.
- IGNORED STATUSES: `client.options(ignore_status=...)` against an `ignore=` keyword.
- RESPONSES: an `ObjectApiResponse` (its `.body` is the dict) against a plain dict.
- ERRORS: `elasticsearch` splits "no answer" (`TransportError`) from "an error status"
  (`ApiError`); in `opensearch-py` both are a `TransportError`.
- BULK HELPERS: each client's own `streaming_bulk`, called with the same options.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import elasticsearch
import opensearchpy
from elasticsearch import helpers as es_helpers
from opensearchpy import helpers as os_helpers

Client = elasticsearch.Elasticsearch | opensearchpy.OpenSearch


class ElasticsearchEngine:
    """Elasticsearch 9 through the official `elasticsearch` client."""

    name = "elasticsearch"
    errors: tuple[type[Exception], ...] = (elasticsearch.TransportError, elasticsearch.ApiError)
    # Either engine's own client (the subclass's is an opensearchpy.OpenSearch); the methods that
    # both engines share call only what the two clients have in common.
    client: Any

    def __init__(self, client: elasticsearch.Elasticsearch) -> None:
        self.client = client

    @staticmethod
    def connect(nodes: list[str], timeout_s: float, retries: int) -> Client:
        """A client of these node URLs; every request bounded by `timeout_s`, retried on another node."""
        return elasticsearch.Elasticsearch(nodes, request_timeout=timeout_s, max_retries=retries, retry_on_timeout=True)

    def ping(self) -> bool:
        """True when the cluster answers."""
        return self.client.ping()

    def search(self, index: str, body: dict) -> dict:
        """The response of `POST /<index>/_search` with `body`."""
        return self.client.search(index=index, **body).body

    def create_index(self, name: str, body: dict) -> None:
        """`PUT /<name>` with settings and mappings; an index of that name already there is no error.

        Names are versioned and unique to one build, so "already exists" means this build's own
        request got through before the client retried it (a timeout on a busy cluster), or another
        process creating the same first index won the race.
        """
        try:
            self._create_index(name, body)
        except self.errors as exc:
            if getattr(exc, "error", None) != "resource_already_exists_exception":
                raise

    def _create_index(self, name: str, body: dict) -> None:
        self.client.indices.create(index=name, **body)

    def delete_index(self, name: str) -> None:
        """`DELETE /<name>`, already gone included."""
        self.client.options(ignore_status=404).indices.delete(index=name)

    def indices_behind(self, alias: str) -> list[str]:
        """The concrete indices the alias points at (none before the first build)."""
        try:
            return sorted(self.client.indices.get_alias(name=alias).body)
        except elasticsearch.NotFoundError:
            return []

    def update_aliases(self, actions: list[dict]) -> None:
        """`POST /_aliases`: every action applied in one atomic step."""
        self.client.indices.update_aliases(actions=actions)

    def put_settings(self, index: str, settings: dict) -> None:
        """`PUT /<index>/_settings`."""
        self.client.indices.put_settings(index=index, settings=settings)

    def refresh(self, index: str) -> None:
        """Make every write to `index` visible to the next search."""
        self.client.indices.refresh(index=index)

    def streaming_bulk(self, actions: Iterable[dict], **options: Any) -> Iterable[tuple[bool, dict]]:
        """The client's bulk helper: one (ok, item) per action."""
        return es_helpers.streaming_bulk(self.client, actions, **options)


class OpenSearchEngine(ElasticsearchEngine):
    """OpenSearch 2 through `opensearch-py`; the same calls in that client's style."""

    name = "opensearch"
    errors = (opensearchpy.TransportError,)

    def __init__(self, client: opensearchpy.OpenSearch) -> None:
        self.client = client

    @staticmethod
    def connect(nodes: list[str], timeout_s: float, retries: int) -> opensearchpy.OpenSearch:
        """A client of these node URLs; every request bounded by `timeout_s`, retried on another node."""
        return opensearchpy.OpenSearch(nodes, timeout=timeout_s, max_retries=retries, retry_on_timeout=True)

    def search(self, index: str, body: dict) -> dict:
        """The response of `POST /<index>/_search` with `body`."""
        return self.client.search(index=index, body=body)

    def _create_index(self, name: str, body: dict) -> None:
        self.client.indices.create(index=name, body=body)

    def delete_index(self, name: str) -> None:
        """`DELETE /<name>`, already gone included."""
        self.client.indices.delete(index=name, ignore=404)

    def indices_behind(self, alias: str) -> list[str]:
        """The concrete indices the alias points at (none before the first build)."""
        try:
            return sorted(self.client.indices.get_alias(name=alias))
        except opensearchpy.NotFoundError:
            return []

    def update_aliases(self, actions: list[dict]) -> None:
        """`POST /_aliases`: every action applied in one atomic step."""
        self.client.indices.update_aliases(body={"actions": actions})

    def put_settings(self, index: str, settings: dict) -> None:
        """`PUT /<index>/_settings`."""
        self.client.indices.put_settings(index=index, body=settings)

    def streaming_bulk(self, actions: Iterable[dict], **options: Any) -> Iterable[tuple[bool, dict]]:
        """The client's bulk helper: one (ok, item) per action."""
        return os_helpers.streaming_bulk(self.client, actions, **options)


Engine = ElasticsearchEngine  # the interface both engines offer
