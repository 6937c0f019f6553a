"""The search side: index documents, backends (embedded, Elasticsearch, OpenSearch), ranking and index sync."""

from __future__ import annotations

from flask import Flask, current_app

from api.db import db
from search.backends.base import SearchBackend
from search.backends.elasticsearch import ElasticsearchBackend
from search.backends.embedded import EmbeddedBackend
from search.backends.opensearch import OpenSearchBackend

# Backends that live in another process and are fed from the search outbox (its undelivered rows are kept).
CLUSTER_BACKENDS = ("elasticsearch", "opensearch")


def init_app(app: Flask) -> None:
    """Attach the configured search backend to the app (built lazily on first use)."""
    app.extensions["search"] = None


def backend() -> SearchBackend:
    """The current app's search backend, created on first use."""
    ext = current_app.extensions
    if ext.get("search") is None:
        ext["search"] = _make_backend(current_app.config)
    return ext["search"]


def _make_backend(config) -> SearchBackend:
    name = config["SEARCH_BACKEND"]
    if name == "embedded":
        # The embedded index only reads the database, often while the request that asked for
        # a match holds SQLite's write lock; its sessions must not wait for that lock.
        return EmbeddedBackend(session_factory=db.read_sessionmaker())
    if name == "elasticsearch":
        return ElasticsearchBackend.from_config(config)
    if name == "opensearch":
        return OpenSearchBackend.from_config(config)
    raise ValueError(f"SEARCH_BACKEND must be 'embedded', 'elasticsearch' or 'opensearch', not {name!r}")


def on_directory_commit() -> None:
    """After a directory write commits, let the backend apply pending outbox rows it serves in-process."""
    apply = getattr(backend(), "apply_outbox", None)
    if apply is not None:
        apply()
