"""Open slots: listing the free ones, announcing changes to search, and generating them."""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Iterator
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from api.free_slots import occupied
from api.models import Location, PracticeLocation, Slot, Specialist, VisitMode
from api.unit_of_work import UnitOfWork

SLOT_MINUTES = 60
_CLINIC_HOURS = (time(9), time(10), time(11), time(14), time(15))
_TELEHEALTH_HOURS = frozenset({time(14), time(15)})  # afternoons go to video for telehealth specialists
_ZONES = {
    **dict.fromkeys(
        ["AL", "AR", "IA", "IL", "KS", "LA", "MN", "MO", "MS", "ND", "NE", "OK", "SD", "TN", "TX", "WI"],
        "America/Chicago",
    ),
    **dict.fromkeys(["CO", "MT", "NM", "UT", "WY", "ID"], "America/Denver"),
    **dict.fromkeys(["CA", "NV", "OR", "WA"], "America/Los_Angeles"),
    "AZ": "America/Phoenix",
    "AK": "America/Anchorage",
    "HI": "Pacific/Honolulu",
    "PR": "America/Puerto_Rico",
}


def zone_for(state: str | None) -> ZoneInfo:
    """The main time zone of a US state (Eastern when unknown)."""
    return ZoneInfo(_ZONES.get((state or "").upper(), "America/New_York"))


def open_slots(
    session: Session,
    *,
    specialist_id: int,
    now: datetime,
    start: datetime,
    end: datetime,
    practice_location_id: int | None = None,
    mode: VisitMode | None = None,
    limit: int = 100,
) -> list[Slot]:
    """A specialist's free future slots between `start` and `end`, earliest first."""
    query = select(Slot).where(
        Slot.specialist_id == specialist_id, Slot.starts_at >= max(start, now), Slot.starts_at < end, ~occupied(now)
    )
    if practice_location_id is not None:
        query = query.where(Slot.practice_location_id == practice_location_id)
    if mode is not None:
        query = query.where(Slot.mode == mode)
    return list(session.scalars(query.order_by(Slot.starts_at, Slot.id).limit(limit)))


def announce(session: Session, slot_ids: Iterable[int]) -> None:
    """Queue re-indexing of the specialists whose free slots changed (their `next_available` moves)."""
    slot_ids = list(slot_ids)
    if slot_ids:
        uow = UnitOfWork(session)
        for specialist_id in session.scalars(select(Slot.specialist_id).where(Slot.id.in_(slot_ids)).distinct()):
            uow.index_specialist(specialist_id)


def weekly_pattern(practice_location_id: int) -> frozenset[int]:
    """The weekdays (0 = Monday) a practice location holds second-opinion clinics: one or two."""
    h = zlib.crc32(str(practice_location_id).encode())
    return frozenset({h % 5, (h // 5) % 5})


def slot_rows(
    pl_id: int, specialist_id: int, state: str | None, telehealth: bool, first_day: date, days: int
) -> Iterator[dict]:
    """The slots of one practice location for `days` days from `first_day` (deterministic)."""
    zone, weekdays = zone_for(state), weekly_pattern(pl_id)
    for offset in range(days):
        day = first_day + timedelta(days=offset)
        if day.weekday() not in weekdays:
            continue
        for hour in _CLINIC_HOURS:
            starts = datetime.combine(day, hour, zone).astimezone(ZoneInfo("UTC"))
            mode = VisitMode.TELEHEALTH if telehealth and hour in _TELEHEALTH_HOURS else VisitMode.IN_PERSON
            yield {
                "specialist_id": specialist_id,
                "practice_location_id": pl_id,
                "mode": mode,
                "starts_at": starts,
                "ends_at": starts + timedelta(minutes=SLOT_MINUTES),
            }


def generate_slots(session: Session, *, first_day: date, days: int, batch_size: int = 2000) -> int:
    """Add the slots every accepting practice location lacks for `days` days; returns rows added.

    Idempotent: a slot that exists (same specialist, same start) is left alone. Practice locations
    are read a page at a time, so memory stays flat for a national directory.
    """
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    insert = dialect.insert(Slot).on_conflict_do_nothing(index_elements=["specialist_id", "starts_at"])
    query = (
        select(PracticeLocation.id, PracticeLocation.specialist_id, Location.state, Specialist.telehealth)
        .join(Location, PracticeLocation.location_id == Location.id)
        .join(Specialist, PracticeLocation.specialist_id == Specialist.id)
        .where(PracticeLocation.accepting_new_patients, Specialist.accepts_second_opinions)
        .order_by(PracticeLocation.id)
        .limit(batch_size)
    )
    before = session.scalar(select(func.count(Slot.id))) or 0
    last_id = 0
    while page := session.execute(query.where(PracticeLocation.id > last_id)).all():
        rows = [row for pl in page for row in slot_rows(*pl, first_day, days)]
        if rows:
            session.execute(insert, rows)
        last_id = page[-1][0]
    return (session.scalar(select(func.count(Slot.id))) or 0) - before
