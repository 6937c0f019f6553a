"""Turning a POST /v1/matches body into a MatchCase and running the configured search backend."""

from __future__ import annotations

from geopy.exc import GeopyError

import search
from api.coverage.plan_cache import CachedPlan, plan_cache
from api.errors import Invalid, NotFound, Unavailable
from api.matching.patient import check_codes_fit, resolve_affiliation, state_at
from api.observability.metrics import MATCH_LATENCY
from api.reference.services import geocoder
from reference import zip_centroids
from reference.populations import age_range
from search.backends.base import MatchResult
from search.case import MatchCase


def find_matches(data: dict) -> tuple[MatchCase, MatchResult]:
    """Rank specialists for a validated request body: from memory (the index, the plan cache), no statement."""
    case = case_from_request(data)
    return case, timed_match(case)


def timed_match(case: MatchCase) -> MatchResult:
    """Run the configured backend on `case`, observing its latency in the match histogram."""
    backend = search.backend()
    with MATCH_LATENCY.labels(type(backend).__name__).time():
        return backend.match(case)


def case_from_request(data: dict) -> MatchCase:
    """The de-identified case: codes, age and sex, a point, the plan's networks, preferences and exclusions."""
    conditions = tuple((c["system"], c["code"]) for c in data["conditions"])
    ages = age_range(data.get("age_years"), data.get("age_band"))
    check_codes_fit(conditions, data.get("sex"), ages)
    plan = _plan(data.get("plan_id"))
    institutions = plan_cache().current().institutions
    ids = {ref for ref in data["exclude_institutions"] if isinstance(ref, int)}
    names = [ref for ref in data["exclude_institutions"] if isinstance(ref, str)]
    names += institutions.names_of(ids)  # by name too, so every site of the excluded institution is left out
    affiliation = resolve_affiliation(institutions, ids, names)
    point = _point(data)
    return MatchCase(
        conditions=conditions,
        age_range=ages,
        sex=data.get("sex"),
        patient_state=state_at(point, data.get("zip")),
        exclude_health_system_ids=affiliation.health_system_ids,
        affiliation_words=affiliation.words,
        specialty=data.get("specialty"),
        point=point,
        max_distance_mi=data["max_distance_mi"],
        telehealth_ok=data["telehealth_ok"],
        plan_id=plan.id if plan else None,
        plan_name=plan.name if plan else None,
        network_ids=plan.network_ids if plan else frozenset(),
        self_pay=data["self_pay"],
        languages=tuple(data["languages"]),
        exclude_specialist_ids=frozenset(data["exclude_specialist_ids"]),
        exclude_institution_ids=frozenset(ids),
        exclude_institution_names=tuple(names),
        reason=data["reason"],
        urgency=data["urgency"],
        limit=data["limit"],
    )


def _plan(plan_id: int | None) -> CachedPlan | None:
    if plan_id is None:
        return None
    plan = plan_cache().plan(plan_id)
    if plan is None:
        raise NotFound(f"No plan {plan_id}; see GET /v1/plans.", field="plan_id")
    return plan


def _point(data: dict) -> tuple[float, float]:
    if "lat" in data:
        return data["lat"], data["lon"]
    if "zip" in data:
        centroid = zip_centroids.get(data["zip"][:5])
        if centroid is None:
            raise Invalid("Unknown ZIP code.", field="zip")
        return centroid[0], centroid[1]
    try:
        place = geocoder().geocode(data["address"])
    except GeopyError as exc:
        raise Unavailable("The geocoding service is unavailable; give a ZIP code instead.") from exc
    if place is None:
        raise NotFound("Could not find that address; give a ZIP code or lat and lon.", field="address")
    return place.latitude, place.longitude
