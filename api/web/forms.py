"""Reading a page's form through the API's own request schema: the same rules, the errors by field."""

from __future__ import annotations

import marshmallow as ma

from api.web.form_errors import field_errors


def load(schema: ma.Schema, data: dict) -> tuple[dict | None, dict[str, str]]:
    """The loaded data and no errors, or None and one message per field (nested messages joined;
    what concerns the whole form under "form")."""
    try:
        return schema.load(data), {}
    except ma.ValidationError as invalid:
        fields = invalid.messages if isinstance(invalid.messages, dict) else {}
        return None, field_errors(invalid.messages, {str(key): str(key) for key in fields if key != "_schema"})


def lines(text: str | None) -> list[str]:
    """A textarea's non-blank lines, trimmed (one list item a line)."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]
