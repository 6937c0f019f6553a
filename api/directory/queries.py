"""Directory reads: filter specialists and, near a point, sort them by distance."""

from __future__ import annotations

import math

import numpy as np
from sqlalchemy import Select, and_, exists, func, or_, select
from sqlalchemy.orm import Session

from api.directory.services import load_specialists
from api.errors import Invalid
from api.models import (
    ConditionExpertise,
    Location,
    Network,
    NetworkParticipation,
    PracticeLocation,
    Specialist,
    SpecialistLanguage,
    SpecialistSpecialty,
)
from api.pagination import Page, page_of, paginate
from reference import conditions as condition_catalogue
from reference.earth import distances_mi

MILES_PER_DEGREE_LAT = 69.0


def list_specialists(
    session: Session, filters: dict, point: tuple[float, float] | None
) -> tuple[Page[Specialist], dict[int, float]]:
    """A page of the filtered directory, and near a point each one's miles (only locations within radius count)."""
    page, size = filters["page"], filters["page_size"]
    if point is None:
        ids = paginate(
            session,
            _filtered(select(Specialist.id), filters).order_by(
                Specialist.last_name, Specialist.first_name, Specialist.id
            ),
            page,
            size,
        )
        return ids.with_items(load_specialists(session, ids.items)), {}
    nearest = _nearest_within(session, filters, point)
    window = page_of(sorted(nearest.items(), key=lambda item: (item[1], item[0])), page, size)
    return window.with_items(load_specialists(session, [sid for sid, _ in window.items])), dict(window.items)


def _nearest_within(session: Session, filters: dict, point: tuple[float, float]) -> dict[int, float]:
    lat, lon = point
    radius = filters["radius_mi"]
    dlat = radius / MILES_PER_DEGREE_LAT
    dlon = radius / (MILES_PER_DEGREE_LAT * max(math.cos(math.radians(lat)), 0.01))
    query = _filtered(
        select(PracticeLocation.specialist_id, Location.lat, Location.lon)
        .join(Location, Location.id == PracticeLocation.location_id)
        .join(Specialist, Specialist.id == PracticeLocation.specialist_id)
        .where(Location.lat.between(lat - dlat, lat + dlat), Location.lon.between(lon - dlon, lon + dlon)),
        filters,
        per_location=True,
    )
    rows = session.execute(query).all()
    if not rows:
        return {}
    ids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
    lats = np.fromiter((r[1] for r in rows), dtype=np.float64, count=len(rows))
    lons = np.fromiter((r[2] for r in rows), dtype=np.float64, count=len(rows))
    miles = distances_mi(lat, lon, lats, lons)  # the one Earth model, as matching measures
    nearest: dict[int, float] = {}
    for i in np.flatnonzero(miles <= radius):
        sid = int(ids[i])
        if miles[i] < nearest.get(sid, math.inf):
            nearest[sid] = round(float(miles[i]), 2)
    return nearest


def _filtered(query: Select, f: dict, per_location: bool = False) -> Select:
    sid = Specialist.id
    if "specialty" in f:
        query = query.where(
            exists().where(
                SpecialistSpecialty.specialist_id == sid, SpecialistSpecialty.taxonomy_code == f["specialty"]
            )
        )
    if "language" in f:
        query = query.where(
            exists().where(SpecialistLanguage.specialist_id == sid, SpecialistLanguage.language == f["language"])
        )
    if "telehealth" in f:
        query = query.where(Specialist.telehealth.is_(f["telehealth"]))
    if "q" in f:
        pattern = f"%{_escape_like(f['q'].lower())}%"
        name = func.lower(Specialist.first_name + " " + Specialist.last_name)
        query = query.where(
            or_(name.like(pattern, escape="\\"), func.lower(Specialist.last_name).like(pattern, escape="\\"))
        )
    if "condition" in f:
        query = query.where(_qualifies_for(*f["condition"]))
    if "network" in f:
        # In-network is a fact about a specialist *at a location*: near a point, the location
        # itself must be in the network; otherwise any of the specialist's locations.
        in_network = and_(NetworkParticipation.network_id == Network.id, Network.code == f["network"])
        if per_location:
            query = query.where(
                exists().where(NetworkParticipation.practice_location_id == PracticeLocation.id, in_network)
            )
        else:
            query = query.where(
                exists().where(
                    PracticeLocation.specialist_id == sid,
                    NetworkParticipation.practice_location_id == PracticeLocation.id,
                    in_network,
                )
            )
    return query


def _qualifies_for(system: str, code: str):
    """Who matching would let treat the condition: a treating specialty, the code or its group."""
    sid, ce = Specialist.id, ConditionExpertise
    q = condition_catalogue.qualifying(system, code)
    if q is None:  # parse_condition_ref let only catalogued codes through
        raise Invalid("Use SYSTEM:CODE with a known ICD-10-CM or ORPHA code.", field="condition", location="query")
    held = [and_(ce.system == q.system, ce.code == q.code)]
    if q.icd_prefix:
        held.append(and_(ce.system == condition_catalogue.ICD10CM, ce.code.like(q.icd_prefix + "%")))
    if q.orpha_codes:
        held.append(and_(ce.system == condition_catalogue.ORPHA, ce.code.in_(q.orpha_codes)))
    treats = exists().where(
        SpecialistSpecialty.specialist_id == sid, SpecialistSpecialty.taxonomy_code.in_(q.specialties)
    )
    return or_(treats, exists().where(ce.specialist_id == sid, or_(*held)))


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
