"""The `<id:name>` URL converter: a database id in a path, the same way on every route."""

from __future__ import annotations

from typing import Any

from werkzeug.routing import BaseConverter, ValidationError

from api.fields import ID_MAX, ID_MIN


class IdConverter(BaseConverter):
    """A positive 32-bit id; anything else matches no route, so it answers 404 problem+json.

    At most ten digits reach int(): a path of thousands of digits is refused by the pattern, not by
    Python's limit on integer parsing.
    """

    regex = r"\d{1,10}"
    part_isolating = True
    weight = 50

    def to_python(self, value: str) -> int:
        """The id, or no match when it is outside the range ids can take."""
        number = int(value)
        if not ID_MIN <= number <= ID_MAX:
            raise ValidationError()
        return number

    def to_url(self, value: Any) -> str:
        """The id as its digits."""
        return str(int(value))


def id_parameter_schema(_converter: IdConverter) -> dict:
    """The OpenAPI schema of an `<id:...>` path parameter."""
    return {"type": "integer", "minimum": ID_MIN, "maximum": ID_MAX}
