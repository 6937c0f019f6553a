"""Clients of the test nodes: opensearch-py as the app builds it, and the Elasticsearch 9 client speaking to OpenSearch.

Both record every request they put on the wire, so tests can check the order of the calls and
hold each body to Elastic's specification.

The Elasticsearch client reaches the real OpenSearch node through `OpenSearchAsElasticNode`, a
transport node that differs from the stock one in exactly the two places the engines disagree on
the wire: it sends plain `application/json` instead of `compatible-with=9` media types, and it
stamps each answer with the `X-Elastic-Product` header the client's product check looks for.
Everything else (mapping, queries, bulk, aliases) runs on the real engine unchanged.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from elastic_transport import ApiResponseMeta, HttpHeaders, Urllib3HttpNode
from elastic_transport._node import NodeApiResponse
from elasticsearch import Elasticsearch
from opensearchpy import OpenSearch, Urllib3HttpConnection

from search.es.engines import OpenSearchEngine


@dataclass
class Recorded:
    """One request as the client sent it."""

    method: str
    path: str
    params: dict
    body: object  # parsed JSON, a list of parsed NDJSON lines for _bulk, or None


def parse_body(raw: bytes | str | None, path: str):
    """A request body as data: NDJSON lines for `_bulk`, else one JSON value."""
    if not raw:
        return None
    text = raw.decode() if isinstance(raw, bytes) else raw
    if path.endswith("/_bulk"):
        return [json.loads(line) for line in text.splitlines() if line.strip()]
    return json.loads(text)


def record(log: list[Recorded], method: str, target: str, body) -> None:
    """Append one request (target: path with its query string) to `log`."""
    parts = urlsplit(target)
    params = {key: values[-1] for key, values in parse_qs(parts.query).items()}
    log.append(Recorded(method, parts.path, params, parse_body(body, parts.path)))


def recording_opensearch(url: str, log: list[Recorded] | None = None) -> OpenSearch:
    """opensearch-py configured as the backend builds it; every request appended to `log` when given."""
    if log is None:
        return OpenSearchEngine.connect([url], 10.0, retries=0)

    class RecordingConnection(Urllib3HttpConnection):
        def perform_request(self, method, url, params=None, body=None, *args, **kwargs):
            query = "&".join(f"{k}={v}" for k, v in (params or {}).items())
            record(log, method, url + (f"?{query}" if query else ""), body)
            return super().perform_request(method, url, params, body, *args, **kwargs)

    return OpenSearch([url], connection_class=RecordingConnection, timeout=10.0, max_retries=0)


class OpenSearchAsElasticNode(Urllib3HttpNode):
    """A transport node that lets the Elasticsearch 9 client talk to OpenSearch (see the module docstring)."""

    log: list[Recorded] | None = None

    def perform_request(self, method, target, body=None, headers=None, **kwargs):
        headers = HttpHeaders(headers or {})
        for name in ("accept", "content-type"):
            if name in headers:
                headers[name] = "application/x-ndjson" if "ndjson" in headers[name] else "application/json"
        if self.log is not None:
            record(self.log, method, target, body)
        meta, raw = super().perform_request(method, target, body=body, headers=headers, **kwargs)
        answered = HttpHeaders(meta.headers)
        answered["x-elastic-product"] = "Elasticsearch"
        return NodeApiResponse(ApiResponseMeta(meta.status, meta.http_version, answered, meta.duration, meta.node), raw)


def elasticsearch_on_opensearch(url: str, log: list[Recorded] | None = None) -> Elasticsearch:
    """The official Elasticsearch client, as the backend configures it, against an OpenSearch node."""
    node_class = type("RecordingNode", (OpenSearchAsElasticNode,), {"log": log})
    return Elasticsearch(url, request_timeout=10.0, max_retries=0, node_class=node_class)
