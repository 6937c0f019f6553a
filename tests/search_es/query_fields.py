"""Every field a search body names, with the use it is named for, and the mapping types each use accepts."""
from __future__ import annotations

NUMERIC = {"long", "integer", "short", "byte", "double", "float", "half_float", "scaled_float"}
EXACT = {"keyword", "boolean", "date"} | NUMERIC  # term-level queries: not analysed text
ACCEPTS: dict[str, set[str]] = {
    "term": EXACT, "terms": EXACT, "range": NUMERIC | {"date"}, "exists": None,  # None: any mapped field
    "geo_distance": {"geo_point"}, "nested": {"nested"},
    "decay": {"geo_point", "date"} | NUMERIC, "field_value_factor": NUMERIC,
    "sort": EXACT, "cardinality": EXACT, "_source": None,
}
_OPTIONS = {"boost", "_name", "distance", "distance_type", "validation_method", "multi_value_mode", "case_insensitive"}


def named_fields(body: dict) -> list[tuple[str, str, str]]:
    """(use, field, nested path or '') for every field the search body names."""
    found = list(_query(body.get("query", {"match_all": {}}), ""))
    for entry in body.get("sort", []):
        key = entry if isinstance(entry, str) else next(iter(entry))
        if key != "_score":
            found.append(("sort", key, ""))
    for agg in body.get("aggregations", {}).values():
        (kind, spec), = agg.items()
        found.append((kind, spec["field"], ""))
    source = body.get("_source")
    if isinstance(source, list):
        found += [("_source", f, "") for f in source]
    return found


def _query(query: dict, scope: str):
    (kind, body), = query.items()
    if kind in ("match_all", "match_none"):
        return
    if kind == "bool":
        for key in ("filter", "must", "should", "must_not"):
            clauses = body.get(key, [])
            for clause in clauses if isinstance(clauses, list) else [clauses]:
                yield from _query(clause, scope)
    elif kind in ("term", "terms", "range", "geo_distance"):
        for field in body:
            if field not in _OPTIONS:
                yield kind, field, scope
    elif kind == "exists":
        yield kind, body["field"], scope
    elif kind == "nested":
        yield kind, body["path"], scope
        yield from _query(body["query"], body["path"])
    elif kind == "constant_score":
        yield from _query(body["filter"], scope)
    elif kind == "function_score":
        yield from _query(body.get("query", {"match_all": {}}), scope)
        for function in body.get("functions", []):
            yield from _function(function, scope)
    else:
        raise AssertionError(f"the field check does not know query type {kind!r}: teach it before using it")


def _function(function: dict, scope: str):
    if "filter" in function:
        yield from _query(function["filter"], scope)
    if "field_value_factor" in function:
        yield "field_value_factor", function["field_value_factor"]["field"], scope
    for kind in ("gauss", "exp", "linear"):
        for field in function.get(kind, {}):
            if field != "multi_value_mode":
                yield "decay", field, scope
