"""Limits on the request line and headers, answered as problem+json before Flask reads the request.

gunicorn refuses an over-long request line or header with its own HTML page (gunicorn.conf.py
sets those limits). This middleware holds tighter ones, so every request a client can get past
gunicorn is refused here instead, in the API's one error format: 414 for a long URL, 431 for a
long header field or too many header bytes in all.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import TYPE_CHECKING
from urllib.parse import quote

from werkzeug.http import HTTP_STATUS_CODES

from api.errors import PROBLEM_MIMETYPE

if TYPE_CHECKING:  # the standard WSGI types exist for type checkers only
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

# Each below gunicorn's limit in gunicorn.conf.py (request line 8190, field 16380, 100 fields).
MAX_URL_BYTES = 4096
MAX_HEADER_FIELD_BYTES = 8192
MAX_HEADER_BYTES = 32 * 1024
MAX_HEADER_FIELDS = 64


def _url_bytes(environ: dict) -> int:
    """The length of the target as the client sent it (path plus query string)."""
    raw = environ.get("RAW_URI") or environ.get("REQUEST_URI")
    if raw:
        return len(raw.encode("latin-1", "replace"))
    path = quote(environ.get("PATH_INFO", "").encode("latin-1", "replace"))
    query = environ.get("QUERY_STRING", "")
    return len(path) + (len(query) + 1 if query else 0)


def refusal(environ: dict) -> tuple[int, str] | None:
    """(status, detail) when the request breaks a limit, else None."""
    if _url_bytes(environ) > MAX_URL_BYTES:
        return 414, f"The URL is longer than {MAX_URL_BYTES} bytes; send long filters in a request body."
    fields = [(key, value) for key, value in environ.items() if key.startswith("HTTP_")]
    fields += [(key, value) for key, value in environ.items() if key in ("CONTENT_TYPE", "CONTENT_LENGTH")]
    if len(fields) > MAX_HEADER_FIELDS:
        return 431, f"The request has more than {MAX_HEADER_FIELDS} header fields."
    sizes = {key: len(key) + len(str(value)) for key, value in fields}
    name, largest = max(sizes.items(), key=lambda item: item[1], default=("", 0))
    if largest > MAX_HEADER_FIELD_BYTES:
        header = name.removeprefix("HTTP_").replace("_", "-").title()
        return 431, f"The {header} header is longer than {MAX_HEADER_FIELD_BYTES} bytes."
    if sum(sizes.values()) > MAX_HEADER_BYTES:
        return 431, f"The request headers are larger than {MAX_HEADER_BYTES} bytes in all."
    return None


class RequestLimits:
    """WSGI middleware: refuse an oversized URL or header with problem+json, else pass the request on."""

    def __init__(self, app: WSGIApplication) -> None:
        self.app = app

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        """Answer 414/431 problem+json for a request over a limit; call the app otherwise."""
        refused = refusal(environ)
        if refused is None:
            return self.app(environ, start_response)
        status, detail = refused
        body = json.dumps(
            {"type": "about:blank", "title": HTTP_STATUS_CODES[status], "status": status, "detail": detail}
        ).encode()
        start_response(
            f"{status} {HTTP_STATUS_CODES[status]}",
            [("Content-Type", PROBLEM_MIMETYPE), ("Content-Length", str(len(body))), ("Connection", "close")],
        )
        return [body]
