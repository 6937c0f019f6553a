"""The Elasticsearch index: mapping of the search document, settings and versioned index names."""

from __future__ import annotations

import copy
from datetime import UTC, datetime

_KEYWORD = {"type": "keyword"}

# Field by field the shape of `search/documents.py`; "strict" makes a document that drifts
# from this mapping fail loudly at index time instead of growing an untyped field.
MAPPINGS: dict = {
    "dynamic": "strict",
    "properties": {
        "doc_id": _KEYWORD,
        "specialist_id": {"type": "long"},
        "practice_location_id": {"type": "long"},
        "npi": _KEYWORD,
        "display_name": {"type": "text", "fields": {"raw": _KEYWORD}},
        "primary_specialty": _KEYWORD,
        "specialties": _KEYWORD,
        "specialty_families": _KEYWORD,
        # Nested so "cases_per_year of THIS condition" is answerable; the flattened keys
        # below serve the cheap hard-constraint filter.
        "conditions": {
            "type": "nested",
            "properties": {
                "key": _KEYWORD,
                "system": _KEYWORD,
                "code": _KEYWORD,
                "group": _KEYWORD,
                "cases_per_year": {"type": "integer"},
                "publications": {"type": "integer"},
                "center_of_expertise": {"type": "boolean"},
            },
        },
        "condition_keys": _KEYWORD,
        "condition_groups": _KEYWORD,
        "network_ids": {"type": "long"},
        "location": {"type": "geo_point"},
        "zip": _KEYWORD,
        "city": _KEYWORD,
        "state": _KEYWORD,
        "languages": _KEYWORD,
        "telehealth": {"type": "boolean"},
        "accepting": {"type": "boolean"},
        "population": _KEYWORD,
        "licensed_states": _KEYWORD,
        "institution_id": {"type": "long"},
        "health_system_id": {"type": "long"},
        # Exclusion by name ignores case. Only case: Python's normalise_institution_name also
        # strips accents and spaces, and Elasticsearch must never exclude more than Python does
        # (the backend re-checks every hit with the exact predicate, so it may exclude less).
        "institution_name": {"type": "keyword", "normalizer": "lowercased"},
        "institution_kind": _KEYWORD,
        "self_pay_price_cents": {"type": "long"},
        "rating": {"type": "float"},
        "review_count": {"type": "integer"},
        "next_available": {"type": "date"},
        "last_verified": {"type": "date", "format": "strict_date"},
    },
}

SETTINGS: dict = {
    "number_of_shards": 1,
    "number_of_replicas": 0,
    "refresh_interval": "1s",
    "analysis": {"normalizer": {"lowercased": {"type": "custom", "filter": ["lowercase"]}}},
}

LIVE_SETTINGS: dict = {"index": {"refresh_interval": SETTINGS["refresh_interval"]}}


def index_body(bulk_load: bool = False) -> dict:
    """The body of `PUT /<index>`: settings and mappings of a new versioned index.

    A bulk load goes faster without periodic refreshes; LIVE_SETTINGS switches them back on
    once the load is done, before the alias points at the index.
    """
    settings = {**SETTINGS, "refresh_interval": "-1"} if bulk_load else SETTINGS
    return copy.deepcopy({"settings": settings, "mappings": MAPPINGS})


def versioned_name(alias: str, now: datetime | None = None) -> str:
    """A new concrete index name behind `alias`: `<alias>-v<UTC timestamp>`."""
    now = now or datetime.now(UTC)
    return f"{alias}-v{now:%Y%m%d%H%M%S%f}"


def field_type(path: str) -> str | None:
    """The mapping type of a dotted field path (`conditions.key`, `display_name.raw`), or None."""
    props: dict | None = MAPPINGS["properties"]
    found: dict = {}
    for part in path.split("."):
        if props is None or part not in props:
            return None
        found = props[part]
        props = found.get("properties") or found.get("fields")
    return found.get("type", "object")
