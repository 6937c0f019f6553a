"""Elastic's request specification from ../shared/elasticsearch, and checks of recorded requests against it.

`load_contract` skips the calling test where the folder is absent (a fresh clone) and fails it
when CI=true, where the folder must be present.
"""
from __future__ import annotations

import functools
import importlib.util
import os
from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "elasticsearch"
ALIASES_BODY = "#/paths/~1_aliases/post/requestBody/content/application~1json/schema"
SETTINGS_BODY = "#/components/requestBodies/indices.put_settings/content/application~1json/schema"


def load_contract():
    """The `es_contract` module, or skip (fail under CI=true) when ../shared/elasticsearch is absent."""
    source = SHARED / "es_contract.py"
    if not source.is_file():
        message = f"{SHARED} is absent: Elasticsearch requests are not checked against Elastic's specification"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message + " (CI=true: it must be present)")
        pytest.skip(message)
    spec = importlib.util.spec_from_file_location("es_contract", source)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@functools.lru_cache(maxsize=None)
def _schema_validator(contract, pointer: str):
    # es_contract checks four APIs; the bulk lines and alias/settings bodies are checked against
    # the same (relaxed, closed) specification it loads, reached through its `_spec`.
    from jsonschema import Draft202012Validator
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT202012

    registry = Registry().with_resource("urn:es", Resource.from_contents(contract._spec(),
                                                                          default_specification=DRAFT202012))
    return Draft202012Validator({"$ref": "urn:es" + pointer}, registry=registry)


def _problems(validator, body) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path)) or '<body>'}: {e.message[:300]}"
            for e in validator.iter_errors(body)]


def _action_keys(contract, operation: str) -> set[str]:
    schemas = contract._spec()["components"]["schemas"]
    names = ["_global.bulk.OperationBase"] + (["_global.bulk.WriteOperation"] if operation != "delete" else [])
    keys: set[str] = set()
    for name in names:
        for part in [schemas[name], *schemas[name].get("allOf", [])]:
            keys.update(part.get("properties", {}))
    return keys


def bulk_problems(contract, lines: list[dict]) -> list[str]:
    """Problems of NDJSON bulk lines: each action line, with no metadata key the specification lacks; each source."""
    action_check = _schema_validator(contract, "#/components/schemas/_global.bulk.OperationContainer")
    found, i = [], 0
    while i < len(lines):
        (operation, meta), = lines[i].items()
        found += [f"line {i}: {p}" for p in _problems(action_check, lines[i])]
        found += [f"line {i}: unknown bulk metadata {key!r}" for key in set(meta) - _action_keys(contract, operation)]
        if operation in ("index", "create"):
            found += [f"line {i + 1}: {p}" for p in contract.validate("index", lines[i + 1])]
        i += 1 if operation == "delete" else 2
    return found


def request_problems(contract, method: str, path: str, body) -> list[str]:
    """Problems of one recorded request; a request of a kind not known here is a problem too."""
    parts = [p for p in path.split("/") if p]
    if body is None:
        return []  # HEAD/GET/DELETE/refresh: nothing in the body to check
    if parts[-1] == "_search":
        return contract.validate("search", body)
    if parts[-1] == "_bulk":
        return bulk_problems(contract, body)
    if parts == ["_aliases"]:
        return _problems(_schema_validator(contract, ALIASES_BODY), body)
    if parts[-1] == "_settings":
        return _problems(_schema_validator(contract, SETTINGS_BODY), body)
    if method == "PUT" and len(parts) == 1:
        return contract.validate("indices.create", body)
    return [f"no specification check for {method} {path}"]
