"""A schema's nested error messages, placed on the form fields that show them."""

from __future__ import annotations

from collections.abc import Mapping


def field_errors(messages: Mapping | list, field_of: Mapping[str, str], path: tuple[str, ...] = ()) -> dict[str, str]:
    """marshmallow's messages as {form field: message}; what fits no field goes under "form"."""
    if not isinstance(messages, Mapping):
        return {form_field(path, field_of): " ".join(map(str, messages))}
    found: dict[str, str] = {}
    for key, inner in messages.items():
        step = () if isinstance(key, int) or key == "_schema" else (str(key),)
        for name, text in field_errors(inner, field_of, path + step).items():
            found[name] = f"{found[name]} {text}" if name in found else text
    return found


def form_field(path: tuple[str, ...] | str | None, field_of: Mapping[str, str]) -> str:
    """The form field that shows a problem with `path` ("patient.zip", or a service's `field=`)."""
    parts = tuple(path.split(".")) if isinstance(path, str) else tuple(path or ())
    while parts:
        if ".".join(parts) in field_of:
            return field_of[".".join(parts)]
        parts = parts[:-1]
    return "form"
