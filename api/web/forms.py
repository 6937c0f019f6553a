"""Reading a page's form through the API's own request schema: the same rules, the errors by field."""

from __future__ import annotations

import marshmallow as ma


def load(schema: ma.Schema, data: dict) -> tuple[dict | None, dict[str, str]]:
    """The loaded data and no errors, or None and one message per field (nested messages joined)."""
    try:
        return schema.load(data), {}
    except ma.ValidationError as invalid:
        messages = invalid.messages if isinstance(invalid.messages, dict) else {"_schema": invalid.messages}
        return None, {field: _text(message) for field, message in messages.items()}


def _text(message) -> str:
    if isinstance(message, dict):
        return " ".join(_text(m) for m in message.values())
    if isinstance(message, list):
        return " ".join(_text(m) for m in message)
    return str(message)


def lines(text: str | None) -> list[str]:
    """A textarea's non-blank lines, trimmed (one list item a line)."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]
