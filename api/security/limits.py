"""Rate limits on login and on the public search and match endpoints (Flask-Limiter).

Counters live in RATELIMIT_STORAGE_URI: "memory://" counts per process (so with N gunicorn
workers a client gets up to N times the limit); "redis://host:6379" shares them.
Clients are told apart by address (request.remote_addr): behind a proxy, run it with ProxyFix.
"""

from __future__ import annotations

import math
import time
from typing import cast

from flask import Flask, Response, current_app
from flask.typing import RouteCallable
from flask_limiter import Limiter, RequestLimit
from flask_limiter.errors import RateLimitExceeded
from flask_limiter.util import get_remote_address
from werkzeug.sansio.response import Response as BaseResponse

from api.errors import problem

# (rule, method) -> the config field holding its limit.
LIMITED = {
    ("/v1/auth/token", "POST"): "RATE_LIMIT_LOGIN",
    ("/v1/accounts/patients", "POST"): "RATE_LIMIT_LOGIN",
    ("/v1/accounts/physicians", "POST"): "RATE_LIMIT_LOGIN",
    ("/v1/accounts/password-reset", "POST"): "RATE_LIMIT_LOGIN",
    ("/v1/specialists", "GET"): "RATE_LIMIT_SEARCH",
    ("/v1/matches", "POST"): "RATE_LIMIT_SEARCH",
    ("/v1/reference/conditions", "GET"): "RATE_LIMIT_SEARCH",
    ("/v1/geocode", "GET"): "RATE_LIMIT_SEARCH",
    ("/v1/payers", "GET"): "RATE_LIMIT_SEARCH",
    ("/v1/plans", "GET"): "RATE_LIMIT_SEARCH",
    ("/v1/networks", "GET"): "RATE_LIMIT_SEARCH",
}


def too_many(limit: RequestLimit) -> Response:
    """429 as problem+json, with Retry-After in whole seconds until the window resets."""
    wait = max(1, math.ceil(limit.reset_at - time.time()))
    return problem(
        429, f"Too many requests: at most {limit.limit}. Try again in {wait} s.", headers={"Retry-After": str(wait)}
    )


def _limit_of(field: str):
    return lambda: current_app.config[field]


def init_app(app: Flask) -> None:
    """Wrap the limited views; call after every blueprint is registered."""
    app.config.setdefault("RATELIMIT_KEY_PREFIX", "secondlook")
    limiter = Limiter(
        get_remote_address,
        app=app,
        storage_uri=app.config["RATELIMIT_STORAGE_URI"],
        on_breach=too_many,
        strategy="fixed-window",
    )
    app.extensions["rate_limiter"] = limiter
    for rule in app.url_map.iter_rules():
        for (path, method), field in LIMITED.items():
            if rule.rule == path and method in (rule.methods or ()):
                limited = limiter.limit(_limit_of(field), methods=[method], key_func=get_remote_address)
                app.view_functions[rule.endpoint] = cast(RouteCallable, limited(app.view_functions[rule.endpoint]))

    @app.errorhandler(RateLimitExceeded)
    def _rate_limited(error: RateLimitExceeded) -> BaseResponse:
        return error.response or problem(429, "Too many requests.")
