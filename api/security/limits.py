"""Rate limits on login and on the public search and match endpoints: one fixed-window hit per request.

Counters live in RATELIMIT_STORAGE_URI, any `limits` storage: by default "shared-file://<path>", a
memory-mapped file every gunicorn worker on the machine maps (api/security/shared_counters.py),
so a client gets the limit in total, not once per worker; "redis://host:6379" shares them across
machines. Clients are told apart by address (request.remote_addr): behind a proxy, run it with ProxyFix.

One `before_request` hook checks the request's endpoint against the table below and counts one
hit; nothing else runs per request (no second pass, no expiry thread).
"""

from __future__ import annotations

import functools
import logging
import math
import time

from flask import Flask, Response, current_app, request
from limits import RateLimitItem, parse
from limits.strategies import FixedWindowRateLimiter

from api.errors import problem
from api.security.shared_counters import storage_for

log = logging.getLogger(__name__)

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
ANY_METHOD = "*"


def too_many(limit: RateLimitItem, reset_at: float) -> Response:
    """429 as problem+json, with Retry-After in whole seconds until the window resets."""
    wait = max(1, math.ceil(reset_at - time.time()))
    return problem(
        429, f"Too many requests: at most {limit}. Try again in {wait} s.", headers={"Retry-After": str(wait)}
    )


@functools.lru_cache(maxsize=64)
def _parsed(limit: str) -> RateLimitItem:
    return parse(limit)


class RateLimits:
    """The limited endpoints of one app and the fixed-window counter they share."""

    def __init__(self, storage_uri: str, key_prefix: str = "secondlook") -> None:
        self.window = FixedWindowRateLimiter(storage_for(storage_uri))
        self.key_prefix = key_prefix
        self._fields: dict[tuple[str, str], str] = {}

    def limit(self, endpoint: str, field: str, method: str = ANY_METHOD) -> None:
        """Limit `endpoint` (for `method`, or every method) to the rate in config field `field`."""
        self._fields[(endpoint, method)] = field

    def check(self) -> Response | None:
        """Count this request against its endpoint's limit; a 429 once it is used up."""
        endpoint = request.endpoint or ""
        field = self._fields.get((endpoint, request.method)) or self._fields.get((endpoint, ANY_METHOD))
        if field is None or not current_app.config["RATELIMIT_ENABLED"]:
            return None
        limit = _parsed(current_app.config[field])
        identity = (self.key_prefix, request.remote_addr or "127.0.0.1", endpoint)
        if self.window.hit(limit, *identity):
            return None
        log.info("rate limit %s exceeded at endpoint %s", limit, endpoint)
        return too_many(limit, self.window.get_window_stats(limit, *identity).reset_time)


def init_app(app: Flask) -> None:
    """Limit the endpoints of LIMITED; call after every blueprint is registered."""
    limits = RateLimits(app.config["RATELIMIT_STORAGE_URI"], app.config.get("RATELIMIT_KEY_PREFIX", "secondlook"))
    app.extensions["rate_limits"] = limits
    for rule in app.url_map.iter_rules():
        for (path, method), field in LIMITED.items():
            if rule.rule == path and method in (rule.methods or ()):
                limits.limit(rule.endpoint, field, method)
    app.before_request(limits.check)
