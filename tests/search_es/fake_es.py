"""A fake Elasticsearch node on 127.0.0.1: records every request and serves the APIs the backend calls.

The official client talks to it over real HTTP, so request bodies are exactly what a cluster
would receive. Writes become searchable only after a refresh, as in Elasticsearch; searches
are evaluated with `fake_dsl.Evaluator`, so the candidate set of a query is real.
"""
from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from elasticsearch import Elasticsearch

from tests.search_es.fake_dsl import values

ALIAS = "secondlook-specialists-test"


def es_client(url: str, **kw) -> Elasticsearch:
    """The official client, as the backend configures it (bounded requests), against `url`."""
    return Elasticsearch(url, request_timeout=5.0, max_retries=kw.pop("max_retries", 0), **kw)


@dataclass
class Recorded:
    """One request as the node received it."""

    method: str
    path: str
    params: dict
    body: object  # parsed JSON, a list of parsed NDJSON lines for _bulk, or None


@dataclass
class FakeIndex:
    """A concrete index: mapping, live documents with versions, and what a search can see."""

    body: dict
    docs: dict = field(default_factory=dict)  # _id -> (source, version)
    visible: dict = field(default_factory=dict)
    postings: dict = field(default_factory=dict)  # field -> value -> {_id}: lets a search skip non-matches

    def refresh(self) -> None:
        """Make every write so far searchable."""
        self.visible = dict(self.docs)
        self.postings = {}

    def posting(self, field_name: str, norm) -> dict:
        """value -> ids of visible documents holding it, for a top-level field (built on first use)."""
        if field_name not in self.postings:
            table: dict = {}
            for doc_id, (source, _) in self.visible.items():
                for value in values(source, field_name):
                    table.setdefault(norm(value), set()).add(doc_id)
            self.postings[field_name] = table
        return self.postings[field_name]


class FakeElasticsearch:
    """The cluster state and its HTTP front; use as a context manager."""

    def __init__(self) -> None:
        self.indices: dict[str, FakeIndex] = {}
        self.aliases: dict[str, set[str]] = {}
        self.requests: list[Recorded] = []
        self.lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        """Where the node listens."""
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self) -> "FakeElasticsearch":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()

    def resolve(self, target: str) -> list[str]:
        """Concrete index names behind an index name, alias or comma list."""
        names = []
        for part in target.split(","):
            names += sorted(self.aliases.get(part, ())) or ([part] if part in self.indices else [])
        return names

    def documents(self, target: str) -> dict:
        """Every live document (not just the visible ones) behind `target`, by _id."""
        return {i: src for name in self.resolve(target) for i, (src, _) in self.indices[name].docs.items()}


def _handler_for(cluster: FakeElasticsearch):
    from tests.search_es.fake_es_api import route

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # else each response waits on the client's delayed ACK (~40 ms)

        def log_message(self, *args) -> None:  # keep test output clean
            pass

        def _serve(self) -> None:
            url = urlsplit(self.path)
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            body = _parse(raw, url.path)
            params = {k: v[-1] for k, v in parse_qs(url.query).items()}
            with cluster.lock:
                cluster.requests.append(Recorded(self.command, url.path, params, body))
                status, payload = route(cluster, self.command, url.path, params, body)
            data = b"" if self.command == "HEAD" else json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/vnd.elasticsearch+json; compatible-with=9")
            self.send_header("X-Elastic-Product", "Elasticsearch")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = _serve

    return Handler


def _parse(raw: bytes, path: str):
    if not raw:
        return None
    if path.endswith("/_bulk"):
        return [json.loads(line) for line in raw.decode().splitlines() if line.strip()]
    return json.loads(raw)
