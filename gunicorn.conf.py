"""gunicorn settings for `make run` and the container.

The master loads the app, the condition catalogues and the search index BEFORE it opens the port
(`preload_app` + `on_starting`), then forks the workers: they start ready, and share the index's
arrays with the master copy-on-write instead of each building its own. Each worker then keeps
its copy current from the search outbox (search/sync.py), as any process does.
"""

import gc
import os
import time

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
timeout = 120
preload_app = True  # the app (and, below, its index) is loaded once, in the master, before forking
# Above the app's own limits (api/request_limits.py), which answer problem+json first; these are
# the backstop for what never reaches the app (gunicorn answers those with its own page).
limit_request_line = 8190  # gunicorn's maximum
limit_request_field_size = 16380
limit_request_fields = 100
accesslog = None  # request logs come from the app, without query strings that may carry health data


def on_starting(server):
    """In the master, before the port opens: load the catalogues, the ZIP table and the search index."""
    from reference import conditions, zip_centroids
    from search import backend

    started = time.perf_counter()
    server.log.info("loading the condition catalogues and the ZIP table")
    conditions.warm()
    zip_centroids.all_zips()  # the offline geocoder's table, else paid by each worker's first match
    app = server.app.wsgi()
    with app.app_context():
        ready = getattr(backend(), "ensure_ready", None)
        if ready is not None:
            server.log.info("building the search index before opening the port")
            ready(progress=server.log.info)
    _close_connections(app, close=True)  # a pooled SQLite/PostgreSQL connection must not cross fork()
    gc.collect()
    gc.freeze()  # what the master built stays out of the workers' collections: its pages stay shared
    server.log.info("ready in %.1f s; opening the port", time.perf_counter() - started)


def post_fork(server, worker):
    """In each worker: fresh database connections (never the master's)."""
    _close_connections(worker.app.wsgi(), close=False)  # forget them; closing would close the master's


def _close_connections(app, close):
    from api.db import db

    with app.app_context():
        db.engine.dispose(close=close)
