"""Writing NPPES providers: insert the new ones, refresh the known ones (by NPI), never duplicate.

The importer owns one place per specialist: their first practice location. It is updated in
place when only they use it, and replaced by a fresh location when it is shared (a campus),
so a moved practice moves rather than piling up addresses.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Connection, bindparam, delete, func, insert, select, update

from api.db import utcnow
from api.models import Location, OutboxEvent, PracticeLocation, Specialist, SpecialistLanguage, SpecialistSpecialty

SPECIALIST, LOCATION, PRACTICE = Specialist.__table__, Location.__table__, PracticeLocation.__table__


@dataclass(frozen=True)
class ProviderRecord:
    """One physician as the NPPES file describes them, validated and geocoded."""

    npi: str
    first_name: str
    last_name: str
    credentials: str | None
    gender: str | None
    taxonomies: list[str]  # NUCC codes, the primary first
    address_line: str
    city: str
    state: str
    zip: str
    lat: float
    lon: float
    phone: str | None


def upsert_providers(conn: Connection, records: list[ProviderRecord], today: date) -> tuple[int, int]:
    """Write a batch of distinct NPIs in the caller's transaction; returns (inserted, updated)."""
    now = utcnow()
    ids = dict(
        conn.execute(
            select(SPECIALIST.c.npi, SPECIALIST.c.id).where(SPECIALIST.c.npi.in_([r.npi for r in records]))
        ).all()
    )
    known = [ids[r.npi] for r in records if r.npi in ids]
    known_set = set(known)
    new = [r for r in records if r.npi not in ids]
    if new:
        inserted = conn.execute(
            insert(SPECIALIST).returning(SPECIALIST.c.id, sort_by_parameter_order=True),
            [{**_identity(r, today, now), "board_certifications": [], "created_at": now} for r in new],
        ).scalars()
        ids.update(zip((r.npi for r in new), inserted, strict=True))
        conn.execute(
            insert(SpecialistLanguage.__table__), [{"specialist_id": ids[r.npi], "language": "en"} for r in new]
        )
    if known:
        conn.execute(
            update(SPECIALIST).where(SPECIALIST.c.id == bindparam("b_id")),
            [{"b_id": ids[r.npi], **_identity(r, today, now)} for r in records if ids[r.npi] in known_set],
        )
        conn.execute(delete(SpecialistSpecialty.__table__).where(SpecialistSpecialty.specialist_id.in_(known)))
    conn.execute(
        insert(SpecialistSpecialty.__table__),
        [
            {"specialist_id": ids[r.npi], "taxonomy_code": code, "is_primary": i == 0}
            for r in records
            for i, code in enumerate(r.taxonomies)
        ],
    )
    _place(conn, records, ids, known)
    conn.execute(
        insert(OutboxEvent.__table__),
        [  # the search index follows through the outbox
            {"topic": "specialist", "entity_id": ids[r.npi], "created_at": now, "attempts": 0} for r in records
        ],
    )
    return len(new), len(known)


def _identity(r: ProviderRecord, today: date, now) -> dict:
    return {
        "npi": r.npi,
        "first_name": r.first_name,
        "last_name": r.last_name,
        "credentials": r.credentials,
        "gender": r.gender,
        "data_source": "nppes",
        "last_verified": today,
        "updated_at": now,
    }


def _location(r: ProviderRecord) -> dict:
    return {
        "name": None,
        "address_line": r.address_line,
        "city": r.city,
        "state": r.state,
        "zip": r.zip,
        "lat": r.lat,
        "lon": r.lon,
        "phone": r.phone,
        "accessibility": [],
        "institution_id": None,
    }


def _place(conn: Connection, records: list[ProviderRecord], ids: dict[str, int], known: list[int]) -> None:
    """Point each specialist's first practice location at the file's address."""
    first: dict[int, tuple[int, int, bool]] = {}  # specialist -> (practice, location, only theirs)
    if known:
        other = PRACTICE.alias("other")
        users = select(func.count()).where(other.c.location_id == PRACTICE.c.location_id).scalar_subquery()
        rows = conn.execute(
            select(PRACTICE.c.specialist_id, PRACTICE.c.id, PRACTICE.c.location_id, LOCATION.c.institution_id, users)
            .join(LOCATION, LOCATION.c.id == PRACTICE.c.location_id)
            .where(PRACTICE.c.specialist_id.in_(known))
            .order_by(PRACTICE.c.specialist_id, PRACTICE.c.id)
        )
        for sid, practice_id, location_id, institution_id, n in rows:
            first.setdefault(sid, (practice_id, location_id, institution_id is None and n == 1))
    own = [r for r in records if first.get(ids[r.npi], (0, 0, False))[2]]
    if own:
        conn.execute(
            update(LOCATION).where(LOCATION.c.id == bindparam("b_id")),
            [{"b_id": first[ids[r.npi]][1], **_location(r)} for r in own],
        )
    moving = [r for r in records if not first.get(ids[r.npi], (0, 0, False))[2]]
    if not moving:
        return
    new_ids = (
        conn.execute(
            insert(LOCATION).returning(LOCATION.c.id, sort_by_parameter_order=True), [_location(r) for r in moving]
        )
        .scalars()
        .all()
    )
    repoint = [
        {"b_id": first[ids[r.npi]][0], "location_id": lid}
        for r, lid in zip(moving, new_ids, strict=True)
        if ids[r.npi] in first
    ]
    if repoint:
        conn.execute(update(PRACTICE).where(PRACTICE.c.id == bindparam("b_id")), repoint)
    created = [
        {"specialist_id": ids[r.npi], "location_id": lid, "accepting_new_patients": True}
        for r, lid in zip(moving, new_ids, strict=True)
        if ids[r.npi] not in first
    ]
    if created:
        conn.execute(insert(PRACTICE), created)
