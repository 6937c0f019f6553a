"""Rules that span several fields, published in the OpenAPI document beside the schema that enforces them.

A marshmallow `validates_schema` hook is invisible to apispec, so a request that the published
schema calls valid could still be refused. A schema class decorated with `rules(...)` carries the
JSON Schema (2020-12, as OpenAPI 3.1 uses) of its cross-field rules; `SchemaRulesPlugin` adds it to
the schema's component. Each rule is written next to the hook that enforces it.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any, TypeVar

import marshmallow as ma
from apispec import BasePlugin
from marshmallow import class_registry

SchemaClass = TypeVar("SchemaClass", bound=type)
ATTRIBUTE = "__json_schema_rules__"


def rules(**json_schema: Any) -> Callable[[SchemaClass], SchemaClass]:
    """Attach JSON Schema keywords (oneOf, anyOf, not, dependentRequired, allOf, ...) to a schema class."""

    def attach(schema_class: SchemaClass) -> SchemaClass:
        setattr(schema_class, ATTRIBUTE, json_schema)
        return schema_class

    return attach


def rules_of(schema: Any) -> dict[str, Any]:
    """The rules a schema (class, instance or registered name) declares itself (a subclass declares its own)."""
    if isinstance(schema, str):
        schema = class_registry.get_class(schema)
    if isinstance(schema, ma.Schema):
        schema = type(schema)
    return copy.deepcopy(vars(schema).get(ATTRIBUTE, {}))


QUERY_RULES = "x-query-rules"


def query_rules(schema: Any) -> dict[str, Any]:
    """An operation's `x-query-rules`: the rules of its query schema, over the query as one object.

    OpenAPI documents each query parameter on its own and cannot relate them (lat needs lon), so the
    rules that span parameters are published in this extension, as JSON Schema over the query string's
    parameters taken as the properties of one object. Use it as `@blp.doc(**query_rules(Schema))`.
    """
    return {QUERY_RULES: rules_of(schema)}


class SchemaRulesPlugin(BasePlugin):
    """apispec plugin: merge each schema's cross-field rules into its component (after the marshmallow plugin)."""

    def schema_helper(self, name: str, definition: dict, **kwargs: Any) -> dict | None:
        """The schema's rules as extra top-level keywords of its definition."""
        schema = kwargs.get("schema")
        return rules_of(schema) or None if schema is not None else None
