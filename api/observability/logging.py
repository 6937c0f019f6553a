"""Log lines as JSON objects, each stamped with the id of the request it was written for.

Records carry only what the code put in its message: the house rule is ids and statuses, never
bodies, query strings or health data (see tests/security/test_no_phi_in_logs.py).
"""

from __future__ import annotations

import json
import logging
import sys
import traceback
from datetime import UTC, datetime
from typing import Any

from flask import g, has_request_context

HANDLER_NAME = "secondlook"


def current_request_id() -> str | None:
    """The id of the request being served, or None outside a request."""
    return g.get("request_id") if has_request_context() else None


class RequestIdFilter(logging.Filter):
    """Stamps every record with the current request id (None outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Add `request_id` to the record; never drops it."""
        if not hasattr(record, "request_id"):
            record.request_id = current_request_id()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time, level, logger, message, request_id and any `extra` fields we set."""

    # Only these extras are emitted: an unknown attribute could be anything a library attached.
    EXTRAS = ("request_id", "method", "route", "status", "duration_ms")

    def format(self, record: logging.LogRecord) -> str:
        """The record as one line of JSON."""
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        line.update({key: getattr(record, key) for key in self.EXTRAS if getattr(record, key, None) is not None})
        if record.exc_info:
            # The type and the traceback's places only: exception text may carry request data.
            kind, _, tb = record.exc_info
            line["exc_type"] = kind.__name__ if kind else None
            line["traceback"] = "".join(traceback.format_tb(tb)) if tb else None
        return json.dumps(line, default=str)


TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"


def make_handler(fmt: str, stream=None) -> logging.Handler:
    """A stream handler with the request-id filter and the formatter `fmt` names ("json" or "text")."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonFormatter() if fmt == "json" else logging.Formatter(TEXT_FORMAT))
    return handler


def configure(level: str, fmt: str) -> None:
    """Install our one handler on the root logger (replacing an earlier one, so apps built per test don't stack)."""
    root = logging.getLogger()
    for old in [h for h in root.handlers if h.get_name() == HANDLER_NAME]:
        root.removeHandler(old)
    handler = make_handler(fmt)
    handler.set_name(HANDLER_NAME)
    root.addHandler(handler)
    root.setLevel(level)
