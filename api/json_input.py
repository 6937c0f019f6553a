"""Request JSON read strictly: a body the service could never store is refused at the door with a 400.

Python's json module accepts things no column can hold and no schema should see: a lone UTF-16
surrogate ("\\ud800" decodes to a str that cannot be encoded as UTF-8, so the database driver
fails), nesting thousands deep (the C decoder recurses, then RecursionError), and integers of
thousands of digits (int() refuses more than 4,300 digits with a ValueError). Each would surface
as a 500 from deep inside a request. Here each is a BadRequest problem that says what is wrong,
before webargs or a view reads the body.
"""

from __future__ import annotations

import json
import re
from typing import Any

from flask import Flask, request
from flask.json.provider import DefaultJSONProvider

from api.errors import BadRequest

MAX_DEPTH = 32  # our deepest schema nests 4 levels; room for clients that wrap, none for bombs
MAX_INTEGER_DIGITS = 40  # far beyond any int64, far below int()'s 4,300-digit refusal
# A string (its closing quote optional, so an unterminated one ends the scan instead of making
# every later quote start a new scan to the end: quadratic time), or a bracket.
_STRUCTURE = re.compile(r'"(?:[^"\\]|\\.)*"?|[\[\]{}]', re.DOTALL)
_SURROGATE = re.compile("[\ud800-\udfff]")


def _refuse_deep(text: str) -> None:
    """Measure nesting without recursion (strings skipped), so a bomb never reaches the decoder."""
    depth = 0
    for token in _STRUCTURE.finditer(text):
        mark = token.group()
        if mark in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                raise BadRequest(f"The JSON body nests deeper than {MAX_DEPTH} levels.")
        elif mark in "]}":
            depth -= 1


def _integer(digits: str) -> int:
    if len(digits.lstrip("-")) > MAX_INTEGER_DIGITS:
        raise BadRequest(f"A JSON number has more than {MAX_INTEGER_DIGITS} digits.")
    return int(digits)


def _refuse_surrogates(value: Any) -> None:
    """Walk the decoded document (iteratively) for strings, keys included, that are not valid Unicode."""
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            if _SURROGATE.search(item):
                raise BadRequest(
                    "A JSON string holds an unpaired UTF-16 surrogate (such as \\ud800); send valid Unicode text."
                )
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)


def loads_strict(data: str | bytes) -> Any:
    """Decode a request body as JSON, or raise BadRequest saying what makes it unacceptable."""
    if isinstance(data, (bytes, bytearray)):
        try:
            data = bytes(data).decode("utf-8")
        except UnicodeDecodeError as error:
            raise BadRequest(f"The body is not valid UTF-8 (byte {error.start}).") from error
    _refuse_deep(data)
    try:
        document = json.loads(data, parse_int=_integer)
    except json.JSONDecodeError as error:
        raise BadRequest(
            f"The body is not valid JSON: {error.msg} (line {error.lineno}, column {error.colno})."
        ) from error
    except (ValueError, RecursionError) as error:  # float overflow forms and the like
        raise BadRequest("The body is not JSON the service can read.") from error
    _refuse_surrogates(document)
    return document


class StrictJSONProvider(DefaultJSONProvider):
    """Flask's JSON provider, reading with `loads_strict` (what `request.get_json()` uses)."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        """Strict decoding; keyword arguments of json.loads are not offered."""
        return loads_strict(s)


def init_app(app: Flask) -> None:
    """Install the strict provider and check every JSON body before a view or webargs reads it."""
    app.json = StrictJSONProvider(app)

    @app.before_request
    def _read_json_strictly() -> None:
        view = app.view_functions.get(request.endpoint or "")
        if getattr(getattr(view, "view_class", view), "verifies_raw_body", False):
            return  # a signed body (Stripe's webhook) is verified as bytes first, and judged by its view
        if request.content_length != 0 and request.is_json and request.method in ("POST", "PUT", "PATCH"):
            raw = request.get_data(cache=True)
            if raw:
                loads_strict(raw)
