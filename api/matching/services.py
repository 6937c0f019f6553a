"""Turning a POST /v1/matches body into a MatchCase and running the configured search backend."""
from __future__ import annotations

from geopy.exc import GeopyError
from sqlalchemy import select
from sqlalchemy.orm import Session

import search
from api.observability.metrics import MATCH_LATENCY
from api.models import Institution, Plan, PlanNetwork
from api.reference.services import geocoder
from search.backends.base import MatchResult
from search.case import MatchCase
from reference import zip_centroids


class MatchError(Exception):
    """A request that names something unknown; `field` is the body field to blame."""

    def __init__(self, status: int, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.field = status, message, field


def find_matches(session: Session, data: dict) -> tuple[MatchCase, MatchResult]:
    """Rank specialists for a validated request body."""
    case = case_from_request(session, data)
    return case, timed_match(case)


def timed_match(case: MatchCase) -> MatchResult:
    """Run the configured backend on `case`, observing its latency in the match histogram."""
    backend = search.backend()
    with MATCH_LATENCY.labels(type(backend).__name__).time():
        return backend.match(case)


def case_from_request(session: Session, data: dict) -> MatchCase:
    """The de-identified case: codes, a point, the plan's networks, preferences and exclusions."""
    plan = _plan(session, data.get("plan_id"))
    ids = {ref for ref in data["exclude_institutions"] if isinstance(ref, int)}
    names = [ref for ref in data["exclude_institutions"] if isinstance(ref, str)]
    if ids:  # by name too, so the first opinion's whole group counts as not independent
        names += session.scalars(select(Institution.name).where(Institution.id.in_(ids))).all()
    return MatchCase(
        conditions=tuple((c["system"], c["code"]) for c in data["conditions"]),
        specialty=data.get("specialty"), point=_point(data), max_distance_mi=data["max_distance_mi"],
        telehealth_ok=data["telehealth_ok"],
        plan_id=plan.id if plan else None, plan_name=plan.name if plan else None,
        network_ids=frozenset(session.scalars(select(PlanNetwork.network_id).where(PlanNetwork.plan_id == plan.id)))
        if plan else frozenset(),
        self_pay=data["self_pay"], languages=tuple(data["languages"]),
        exclude_specialist_ids=frozenset(data["exclude_specialist_ids"]),
        exclude_institution_ids=frozenset(ids), exclude_institution_names=tuple(names),
        reason=data["reason"], urgency=data["urgency"], limit=data["limit"],
    )


def _plan(session: Session, plan_id: int | None) -> Plan | None:
    if plan_id is None:
        return None
    plan = session.get(Plan, plan_id)
    if plan is None:
        raise MatchError(422, f"No plan {plan_id}; see GET /v1/plans.", "plan_id")
    return plan


def _point(data: dict) -> tuple[float, float]:
    if "lat" in data:
        return data["lat"], data["lon"]
    if "zip" in data:
        centroid = zip_centroids.get(data["zip"][:5])
        if centroid is None:
            raise MatchError(422, "Unknown ZIP code.", "zip")
        return centroid[0], centroid[1]
    try:
        place = geocoder().geocode(data["address"])
    except GeopyError as exc:
        raise MatchError(503, "The geocoding service is unavailable; give a ZIP code instead.") from exc
    if place is None:
        raise MatchError(422, "Could not find that address; give a ZIP code or lat and lon.", "address")
    return place.latitude, place.longitude
