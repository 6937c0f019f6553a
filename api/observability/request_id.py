"""X-Request-ID: taken from the caller when it is a sane token, else made here; echoed; one access line per request."""

from __future__ import annotations

import logging
import re
import secrets
import time

from flask import Flask, Response, g, request

HEADER = "X-Request-ID"
# Proxies send UUIDs or similar; anything else (long, spaces, control characters) is replaced,
# so a caller cannot forge log lines or smuggle data into them.
_SANE = re.compile(r"[A-Za-z0-9._:-]{8,128}")
access_log = logging.getLogger("api.access")


def route_template() -> str:
    """The matched URL rule (/v1/cases/<int:case_id>), never the raw path or query string."""
    return request.url_rule.rule if request.url_rule is not None else "<unmatched>"


def accept_or_make(value: str | None) -> str:
    """The caller's request id when sane, else a fresh random one."""
    return value if value and _SANE.fullmatch(value) else secrets.token_hex(16)


def _start() -> None:
    g.request_id = accept_or_make(request.headers.get(HEADER))
    g.request_started = time.perf_counter()


def _finish(response: Response) -> Response:
    response.headers[HEADER] = g.get("request_id") or accept_or_make(None)
    duration_ms = (time.perf_counter() - g.get("request_started", time.perf_counter())) * 1000.0
    access_log.info(
        "%s %s %s %.1fms",
        request.method,
        route_template(),
        response.status_code,
        duration_ms,
        extra={
            "method": request.method,
            "route": route_template(),
            "status": response.status_code,
            "duration_ms": round(duration_ms, 2),
        },
    )
    return response


def init_app(app: Flask) -> None:
    """Register the request-id hooks; they run first before and last after every request."""
    app.before_request_funcs.setdefault(None, []).insert(0, _start)
    app.after_request(_finish)  # after_request runs in reverse: registered first, it runs last
