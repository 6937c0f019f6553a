"""gunicorn settings for `make run` and the container: each worker warms up before taking requests."""
import os

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
timeout = 120
# Above the app's own limits (api/request_limits.py), which answer problem+json first; these are
# the backstop for what never reaches the app (gunicorn answers those with its own page).
limit_request_line = 8190  # gunicorn's maximum
limit_request_field_size = 16380
limit_request_fields = 100
accesslog = None  # request logs come from the app, without query strings that may carry health data


def post_worker_init(worker):
    """Load the condition catalogues, the ZIP table and the search index before the first request, not during it."""
    from search import backend
    from reference import conditions, zip_centroids

    conditions.warm()
    zip_centroids.all_zips()  # the offline geocoder's table: ~1 s, else paid by each worker's first match
    with worker.wsgi.app_context():
        ready = getattr(backend(), "ensure_ready", None)
        if ready is not None:
            ready()
