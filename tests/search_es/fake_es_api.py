"""The REST endpoints of the fake node: index admin, aliases, bulk, refresh and search."""
from __future__ import annotations

from tests.search_es.fake_dsl import Evaluator, _clauses, values

INFO = {"name": "fake-node", "cluster_name": "fake", "version": {"number": "9.1.0", "build_flavor": "default"},
        "tagline": "You Know, for Search"}


def error(status: int, kind: str, reason: str) -> tuple[int, dict]:
    """An Elasticsearch error response."""
    return status, {"error": {"type": kind, "reason": reason, "root_cause": [{"type": kind, "reason": reason}]},
                    "status": status}


def route(cluster, method: str, path: str, params: dict, body) -> tuple[int, dict]:
    """Dispatch one request to the cluster state; returns (status, JSON payload)."""
    parts = [p for p in path.split("/") if p]
    if not parts:
        return 200, INFO
    if parts == ["_cluster", "health"]:
        return 200, {"status": "green"}
    if parts[0] == "_aliases" and method == "POST":
        return _update_aliases(cluster, body)
    if parts[0] == "_alias":
        return _get_alias(cluster, parts[1])
    if parts[-1] == "_bulk":
        return _bulk(cluster, parts[0] if len(parts) == 2 else None, params, body)
    if parts[-1] == "_refresh":
        for name in cluster.resolve(parts[0]) if len(parts) == 2 else list(cluster.indices):
            cluster.indices[name].refresh()
        return 200, {"_shards": {"total": 1, "successful": 1, "failed": 0}}
    if parts[-1] == "_search":
        return _search(cluster, parts[0], body or {})
    if parts[-1] == "_settings" and method == "PUT":
        return 200, {"acknowledged": True}
    if len(parts) == 1:
        return _index_admin(cluster, method, parts[0], body)
    return error(400, "unsupported_by_fake", f"{method} {path}")


def _index_admin(cluster, method: str, name: str, body) -> tuple[int, dict]:
    from tests.search_es.fake_es import FakeIndex

    if method == "HEAD":
        return (200, {}) if cluster.resolve(name) else (404, {})
    if method == "PUT":
        if name in cluster.indices or name in cluster.aliases:
            return error(400, "resource_already_exists_exception", f"index [{name}] already exists")
        cluster.indices[name] = FakeIndex(body=body or {})
        return 200, {"acknowledged": True, "shards_acknowledged": True, "index": name}
    if method == "DELETE":
        if name not in cluster.indices:
            return error(404, "index_not_found_exception", f"no such index [{name}]")
        del cluster.indices[name]
        for members in cluster.aliases.values():
            members.discard(name)
        return 200, {"acknowledged": True}
    return error(405, "method_not_allowed", method)


def _get_alias(cluster, alias: str) -> tuple[int, dict]:
    members = cluster.aliases.get(alias)
    if not members:
        return 404, {"error": f"alias [{alias}] missing", "status": 404}
    return 200, {name: {"aliases": {alias: {}}} for name in sorted(members)}


def _update_aliases(cluster, body) -> tuple[int, dict]:
    # Validate every action first: the whole request applies atomically or not at all.
    for action in body["actions"]:
        (kind, spec), = action.items()
        if spec["index"] not in cluster.indices:
            return error(404, "index_not_found_exception", f"no such index [{spec['index']}]")
        if kind == "remove" and spec["index"] not in cluster.aliases.get(spec["alias"], ()):
            return error(404, "aliases_not_found_exception", f"aliases [{spec['alias']}] missing")
    for action in body["actions"]:
        (kind, spec), = action.items()
        members = cluster.aliases.setdefault(spec["alias"], set())
        members.add(spec["index"]) if kind == "add" else members.discard(spec["index"])
    return 200, {"acknowledged": True}


def _bulk(cluster, default_index, params, lines) -> tuple[int, dict]:
    items, i = [], 0
    while i < len(lines):
        (op, meta), = lines[i].items()
        source = lines[i + 1] if op != "delete" else None
        i += 1 if op == "delete" else 2
        status, extra = _write(cluster, op, meta, source, default_index, params)
        target = meta.get("_index", default_index)
        items.append({op: {"_index": target, "_id": meta.get("_id"), "status": status, **extra}})
    return 200, {"took": 1, "errors": any(v["status"] >= 300 for it in items for v in it.values()), "items": items}


def _write(cluster, op, meta, source, default_index, params) -> tuple[int, dict]:
    target = meta.get("_index", default_index)
    names = cluster.resolve(target)
    if target not in cluster.aliases and (params.get("require_alias") == "true" or meta.get("require_alias")):
        return 404, {"error": {"type": "index_not_found_exception", "reason": f"[{target}] is not an alias"}}
    if len(names) != 1:
        return 404, {"error": {"type": "index_not_found_exception", "reason": f"no single write index for [{target}]"}}
    index = cluster.indices[names[0]]
    doc_id, current = meta["_id"], index.docs.get(meta["_id"], (None, 0))[1]
    version = meta.get("version")
    if version is not None and (version < current or (meta.get("version_type") == "external" and version == current)):
        return 409, {"error": {"type": "version_conflict_engine_exception",
                               "reason": f"[{doc_id}]: version conflict, current [{current}], provided [{version}]"}}
    if op == "delete":
        found = index.docs.pop(doc_id, None)
        return (200, {"result": "deleted"}) if found else (404, {"result": "not_found"})
    unknown = _unmapped(index.body.get("mappings", {}), source)
    if unknown:
        return 400, {"error": {"type": "strict_dynamic_mapping_exception", "reason": f"field [{unknown}] not allowed"}}
    index.docs[doc_id] = (source, version if version is not None else current + 1)
    return 201, {"result": "created"}


def _unmapped(mapping: dict, source: dict, prefix: str = "") -> str | None:
    if mapping.get("dynamic") != "strict":
        return None
    props = mapping.get("properties", {})
    for key, value in source.items():
        if key not in props:
            return prefix + key
        inner = [v for v in (value if isinstance(value, list) else [value]) if isinstance(v, dict)]
        if "properties" in props[key]:
            for item in inner:
                found = _unmapped({"dynamic": "strict", **props[key]}, item, f"{prefix}{key}.")
                if found:
                    return found
    return None


def _search(cluster, target: str, body: dict) -> tuple[int, dict]:
    names = cluster.resolve(target)
    if not names:
        return error(404, "index_not_found_exception", f"no such index [{target}]")
    query = body.get("query", {"match_all": {}})
    hits = []
    for name in names:
        evaluator = Evaluator(cluster.indices[name].body.get("mappings", {}))
        matches, score = evaluator.predicate(query), evaluator.scorer(query)
        index = cluster.indices[name]
        narrowed = _narrow(index, evaluator, query)
        for doc_id, (source, _) in index.visible.items():
            if (narrowed is None or doc_id in narrowed) and matches(source):
                hits.append({"_index": name, "_id": doc_id, "_score": score(source), "_source": source})
    for key, order in reversed(_sort_spec(body.get("sort", ["_score"]))):
        pick = (lambda h: h["_score"]) if key == "_score" else (lambda h, k=key: (values(h["_source"], k) or [None])[0])
        hits.sort(key=pick, reverse=(order == "desc"))
    aggregations = {name: _aggregate(spec, hits) for name, spec in body.get("aggregations", {}).items()}
    start, size = body.get("from", 0), body.get("size", 10)
    page = hits[start:start + size]
    page = [dict(hit) for hit in page]
    for hit in page:
        if "sort" in body:
            hit["sort"] = [hit["_score"] if k == "_score" else (values(hit["_source"], k) or [None])[0]
                           for k, _ in _sort_spec(body["sort"])]
        if body.get("_source") is False:
            del hit["_source"]
        elif isinstance(body.get("_source"), list):
            hit["_source"] = {k: v for k, v in hit["_source"].items() if k in body["_source"]}
    response = {"took": 1, "timed_out": False, "_shards": {"total": 1, "successful": 1, "failed": 0},
                "hits": {"total": {"value": len(hits), "relation": "eq"},
                         "max_score": max((h["_score"] for h in hits), default=None), "hits": page}}
    if aggregations:
        response["aggregations"] = aggregations
    return 200, response


def _narrow(index, evaluator: Evaluator, query: dict) -> set | None:
    """A superset of the ids matching `query` from term postings, or None when it cannot tell.

    Only a speed-up: every document in the superset is still checked with the full predicate.
    """
    (kind, body), = query.items()
    if kind in ("term", "terms"):
        (field, wanted), = ((k, v) for k, v in body.items() if k != "boost")
        if "." in field:
            return None
        norm = evaluator._normaliser(field)
        wanted = wanted if kind == "terms" else [wanted["value"] if isinstance(wanted, dict) else wanted]
        posting = index.posting(field, norm)
        return set().union(*(posting.get(norm(w), ()) for w in wanted))
    if kind != "bool":
        return None
    required = _clauses(body, "filter") + _clauses(body, "must")
    if required:
        narrowed = [n for n in (_narrow(index, evaluator, c) for c in required) if n is not None]
        return set.intersection(*narrowed) if narrowed else None
    if body.get("should") and int(body.get("minimum_should_match", 1)) >= 1:
        options = [_narrow(index, evaluator, c) for c in body["should"]]
        return None if any(o is None for o in options) else set().union(*options)
    return None


def _aggregate(spec: dict, hits: list[dict]) -> dict:
    (kind, body), = spec.items()
    if kind != "cardinality":
        raise NotImplementedError(kind)
    return {"value": len({v for h in hits for v in values(h["_source"], body["field"])})}


def _sort_spec(sort) -> list[tuple[str, str]]:
    spec = []
    for entry in sort:
        if isinstance(entry, str):
            spec.append((entry, "desc" if entry == "_score" else "asc"))
        else:
            (key, opts), = entry.items()
            spec.append((key, opts.get("order", "asc") if isinstance(opts, dict) else opts))
    return spec
