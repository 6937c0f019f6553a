"""Evaluate the subset of the Elasticsearch query DSL the backend emits, on plain documents.

A query is compiled once into Python closures (a predicate and a scorer), then run per document.
Scores follow Elasticsearch's rules for the parts used: filter and must_not clauses score 0,
`bool` sums its scoring clauses, `function_score` combines its functions with
`score_mode`/`boost_mode`. Anything else raises, so an unsupported query fails the test
rather than silently matching everything.
"""
from __future__ import annotations

import math
import re
from datetime import datetime
from typing import Callable

EARTH_RADIUS_M = 6_371_008.7714  # Elasticsearch's GeoUtils.EARTH_MEAN_RADIUS
_UNITS_M = {"mi": 1609.344, "km": 1000.0, "m": 1.0}
Predicate = Callable[[dict], bool]
_COMPARE = {"gte": lambda v, b: v >= b, "gt": lambda v, b: v > b, "lte": lambda v, b: v <= b, "lt": lambda v, b: v < b}
Scorer = Callable[[dict], float]


def values(doc: dict, field: str) -> list:
    """Every value at a dotted path, looking through lists (as Elasticsearch's doc values do)."""
    if "." not in field:  # the common case, kept fast: the fake evaluates thousands of documents per search
        value = doc.get(field)
        return [v for v in value if v is not None] if isinstance(value, list) else [] if value is None else [value]
    found = [doc]
    for part in field.split("."):
        nxt = []
        for item in found:
            value = item.get(part) if isinstance(item, dict) else None
            nxt.extend(value if isinstance(value, list) else [value])
        found = [v for v in nxt if v is not None]
    return found


def lowercased(value):
    """The `lowercased` normalizer of the mapping."""
    return str(value).lower()


def metres(distance: str) -> float:
    """'12.5mi' -> metres."""
    number, unit = re.fullmatch(r"([0-9.]+)\s*(mi|km|m)", distance).groups()
    return float(number) * _UNITS_M[unit]


def arc_distance_m(lat1, lon1, lat2, lon2) -> float:
    """Haversine distance in metres on Elasticsearch's mean Earth radius."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


def _clauses(body: dict, key: str) -> list:
    value = body.get(key, [])
    return value if isinstance(value, list) else [value]


class Evaluator:
    """Compiles queries of one index (its mapping gives normalizers) into predicates and scorers."""

    def __init__(self, mappings: dict) -> None:
        self.mappings = mappings

    def _normaliser(self, field: str):
        spec = self.mappings.get("properties", {}).get(field.split(".")[0], {})
        if spec.get("normalizer") not in (None, "lowercased"):
            raise NotImplementedError(f"the fake knows no normalizer {spec['normalizer']!r}")
        return lowercased if spec.get("normalizer") else (lambda v: v)

    def predicate(self, query: dict) -> Predicate:
        """A function telling whether a document satisfies `query`."""
        (kind, body), = query.items()
        return getattr(self, f"_match_{kind}")(body)

    def scorer(self, query: dict) -> Scorer:
        """A function giving the score of a matching document."""
        (kind, body), = query.items()
        make = getattr(self, f"_score_{kind}", None)
        return make(body) if make else (lambda doc: 1.0)

    def _match_match_all(self, body):
        return lambda doc: True

    def _score_match_all(self, body):
        boost = float(body.get("boost", 1.0))
        return lambda doc: boost

    def _match_match_none(self, body):
        return lambda doc: False

    def _match_bool(self, body):
        musts = [self.predicate(q) for q in _clauses(body, "filter") + _clauses(body, "must")]
        nots = [self.predicate(q) for q in _clauses(body, "must_not")]
        should = [self.predicate(q) for q in _clauses(body, "should")]
        default = 0 if musts else 1
        needed = int(body.get("minimum_should_match", default if should else 0))
        enough = (lambda doc: any(p(doc) for p in should)) if needed == 1 else \
            (lambda doc: sum(p(doc) for p in should) >= needed)
        return lambda doc: (all(p(doc) for p in musts) and not any(p(doc) for p in nots)
                            and (needed == 0 or enough(doc)))

    def _score_bool(self, body):
        scoring = [(self.predicate(q), self.scorer(q)) for q in _clauses(body, "must") + _clauses(body, "should")]
        return lambda doc: sum(s(doc) for p, s in scoring if p(doc))

    def _match_term(self, body):
        (field, spec), = body.items()
        norm = self._normaliser(field)
        wanted = norm(spec["value"] if isinstance(spec, dict) else spec)
        return lambda doc: any(norm(v) == wanted for v in values(doc, field))

    def _match_terms(self, body):
        (field, wanted), = ((k, v) for k, v in body.items() if k != "boost")
        norm = self._normaliser(field)
        wanted = {norm(w) for w in wanted}
        return lambda doc: any(norm(v) in wanted for v in values(doc, field))

    def _match_exists(self, body):
        return lambda doc: bool(values(doc, body["field"]))

    def _match_range(self, body):
        (field, bounds), = body.items()
        checks = [(_COMPARE[op], b) for op, b in bounds.items() if op in _COMPARE]
        return lambda doc: any(all(t(v, b) for t, b in checks) for v in values(doc, field))

    def _match_geo_distance(self, body):
        field = next(k for k in body if k not in {"distance", "distance_type", "validation_method", "boost", "_name"})
        origin, limit = body[field], metres(body["distance"])
        return lambda doc: any(arc_distance_m(origin["lat"], origin["lon"], p["lat"], p["lon"]) <= limit
                               for p in values(doc, field))

    def _match_nested(self, body):
        inner, path = self.predicate(body["query"]), body["path"]
        return lambda doc: any(inner({path: item}) for item in values(doc, path))

    def _match_constant_score(self, body):
        return self.predicate(body["filter"])

    def _score_constant_score(self, body):
        boost = float(body.get("boost", 1.0))
        return lambda doc: boost

    def _match_function_score(self, body):
        return self.predicate(body.get("query", {"match_all": {}}))

    def _score_function_score(self, body):
        query_score = self.scorer(body.get("query", {"match_all": {}}))
        functions = [(self.predicate(f["filter"]) if "filter" in f else (lambda doc: True), _function(f))
                     for f in body.get("functions", [])]
        combine = {"sum": sum, "multiply": math.prod, "max": max, "min": min,
                   "avg": lambda r: sum(r) / len(r), "first": lambda r: r[0]}[body.get("score_mode", "multiply")]
        boost = {"replace": lambda q, f: f, "multiply": lambda q, f: q * f, "sum": lambda q, f: q + f,
                 "max": max, "min": min, "avg": lambda q, f: (q + f) / 2}[body.get("boost_mode", "multiply")]
        cap = float(body.get("max_boost", math.inf))

        def score(doc):
            results = [fn(doc) for applies, fn in functions if applies(doc)]
            return boost(query_score(doc), min(combine(results) if results else 1.0, cap))
        return score


def _function(fn: dict) -> Scorer:
    weight = float(fn.get("weight", 1.0))
    if "field_value_factor" in fn:
        spec = fn["field_value_factor"]
        modifier = {"none": lambda v: v, "log1p": lambda v: math.log10(1 + v), "ln1p": math.log1p,
                    "sqrt": math.sqrt, "square": lambda v: v * v}[spec.get("modifier", "none")]

        def factor(doc):
            found = values(doc, spec["field"])
            x = float(found[0]) if found else float(spec["missing"])
            return weight * modifier(x * float(spec.get("factor", 1.0)))
        return factor
    for kind in ("gauss", "exp", "linear"):
        if kind in fn:
            return lambda doc, k=kind: weight * _decay(k, fn[k], doc)
    return lambda doc: weight


def _decay(kind: str, body: dict, doc: dict) -> float:
    """Elasticsearch's decay functions on a geo_point (origin {lat, lon}) or a date (ISO origin)."""
    (field, spec), = ((k, v) for k, v in body.items() if k != "multi_value_mode")
    found = values(doc, field)
    if not found:
        return 1.0  # Elasticsearch: a document without the field is not decayed
    if isinstance(spec["origin"], dict):
        origin, point = spec["origin"], found[0]
        d, scale = arc_distance_m(origin["lat"], origin["lon"], point["lat"], point["lon"]), metres(spec["scale"])
        offset = metres(spec.get("offset", "0m"))
    else:
        d = abs((datetime.fromisoformat(found[0]) - datetime.fromisoformat(spec["origin"])).total_seconds())
        scale, offset = _seconds(spec["scale"]), _seconds(spec.get("offset", "0s"))
    d, decay = max(0.0, d - offset), float(spec.get("decay", 0.5))
    if kind == "exp":
        return math.exp(math.log(decay) / scale * d)
    if kind == "linear":
        s = scale / (1.0 - decay)
        return max(0.0, (s - d) / s)
    sigma_sq = -(scale ** 2) / (2 * math.log(decay))
    return math.exp(-(d ** 2) / (2 * sigma_sq))


def _seconds(span: str) -> float:
    number, unit = re.fullmatch(r"([0-9.]+)\s*(ms|s|m|h|d)", span).groups()
    return float(number) * {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400}[unit]
