"""Directory verbs: create, update and delete specialists, their locations and networks."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

import search
from api.errors import Conflict, Invalid, NotFound
from api.models import (
    ConditionExpertise,
    Institution,
    Location,
    Network,
    NetworkParticipation,
    PracticeLocation,
    Specialist,
    SpecialistLanguage,
    SpecialistLicence,
    SpecialistSpecialty,
)
from api.unit_of_work import UnitOfWork
from reference import conditions as condition_catalogue
from reference import zip_centroids

_DIRECTORY_LOADS = (
    selectinload(Specialist.specialties),
    selectinload(Specialist.language_rows),
    selectinload(Specialist.conditions),
    selectinload(Specialist.institution),
    selectinload(Specialist.licence_rows),
    selectinload(Specialist.practice_locations)
    .selectinload(PracticeLocation.participations)
    .joinedload(NetworkParticipation.network),
)


def load_specialist(session: Session, specialist_id: int) -> Specialist:
    """A specialist with everything the directory shows, or NotFound."""
    specialist = session.scalar(select(Specialist).where(Specialist.id == specialist_id).options(*_DIRECTORY_LOADS))
    if specialist is None:
        raise NotFound(f"No specialist {specialist_id}.")
    return specialist


def create_specialist(uow: UnitOfWork, data: dict) -> Specialist:
    """Add a specialist from validated data."""
    session = uow.session
    if session.scalar(select(Specialist.id).where(Specialist.npi == data["npi"])) is not None:
        raise Conflict(f"A specialist with NPI {data['npi']} exists already.", field="npi")
    specialist = Specialist()
    _apply(session, specialist, data)
    session.add(specialist)
    _flush(session)
    _reindex(uow, specialist.id)
    return specialist


def update_specialist(uow: UnitOfWork, specialist_id: int, data: dict) -> Specialist:
    """Change the given fields; lists given replace the old ones."""
    specialist = load_specialist(uow.session, specialist_id)
    if (
        "npi" in data
        and data["npi"] != specialist.npi
        and uow.session.scalar(select(Specialist.id).where(Specialist.npi == data["npi"])) is not None
    ):
        raise Conflict(f"A specialist with NPI {data['npi']} exists already.", field="npi")
    _apply(uow.session, specialist, data)
    _flush(uow.session)
    _reindex(uow, specialist.id)
    return specialist


def delete_specialist(uow: UnitOfWork, specialist_id: int) -> None:
    """Remove a specialist and everything that hangs on them."""
    specialist = load_specialist(uow.session, specialist_id)
    uow.session.delete(specialist)
    _reindex(uow, specialist_id)


def add_practice_location(uow: UnitOfWork, specialist_id: int, data: dict) -> PracticeLocation:
    """Put a specialist at a location (geocoded from its ZIP when no coordinates are given)."""
    specialist = load_specialist(uow.session, specialist_id)
    loc = dict(data["location"])
    if "lat" not in loc or "lon" not in loc:
        centroid = zip_centroids.get(loc["zip"][:5])
        if centroid is None:
            raise Invalid("Unknown ZIP; give lat and lon.", field="location.zip")
        loc["lat"], loc["lon"] = centroid[0], centroid[1]
    location = Location(**loc, institution_id=specialist.institution_id)
    practice = PracticeLocation(location=location, accepting_new_patients=data["accepting_new_patients"])
    specialist.practice_locations.append(practice)
    _flush(uow.session)
    _reindex(uow, specialist.id)
    return practice


def update_practice_location(uow: UnitOfWork, specialist_id: int, practice_id: int, data: dict) -> PracticeLocation:
    """Change whether the specialist takes new patients at this location."""
    practice = _practice(uow.session, specialist_id, practice_id)
    practice.accepting_new_patients = data["accepting_new_patients"]
    _reindex(uow, specialist_id)
    return practice


def remove_practice_location(uow: UnitOfWork, specialist_id: int, practice_id: int) -> None:
    """Take a specialist off a location (the location itself stays for others)."""
    uow.session.delete(_practice(uow.session, specialist_id, practice_id))
    _reindex(uow, specialist_id)


def join_network(uow: UnitOfWork, specialist_id: int, practice_id: int, network_id: int) -> PracticeLocation:
    """Record that the specialist is in a network at this location."""
    practice = _practice(uow.session, specialist_id, practice_id)
    network = uow.session.get(Network, network_id)
    if network is None:
        raise NotFound(f"No network {network_id}.", field="network_id")
    if any(p.network_id == network_id for p in practice.participations):
        raise Conflict("Already in that network at this location.", field="network_id")
    practice.participations.append(NetworkParticipation(network=network))
    _flush(uow.session)
    _reindex(uow, specialist_id)
    return practice


def leave_network(uow: UnitOfWork, specialist_id: int, practice_id: int, network_id: int) -> None:
    """Record that the specialist left a network at this location."""
    practice = _practice(uow.session, specialist_id, practice_id)
    row = next((p for p in practice.participations if p.network_id == network_id), None)
    if row is None:
        raise NotFound("Not in that network at this location.")
    practice.participations.remove(row)
    _reindex(uow, specialist_id)


def _reindex(uow: UnitOfWork, specialist_id: int) -> None:
    """Queue the specialist's index rebuild in this transaction; the in-process index applies it after commit."""
    uow.index_specialist(specialist_id)
    uow.after_commit(search.on_directory_commit)


def _practice(session: Session, specialist_id: int, practice_id: int) -> PracticeLocation:
    practice = session.get(PracticeLocation, practice_id)
    if practice is None or practice.specialist_id != specialist_id:
        raise NotFound(f"Specialist {specialist_id} has no location {practice_id}.")
    return practice


def _apply(session: Session, specialist: Specialist, data: dict) -> None:
    scalars = {k: v for k, v in data.items() if k not in ("specialties", "languages", "conditions", "licensed_states")}
    if scalars.get("institution_id") is not None and session.get(Institution, scalars["institution_id"]) is None:
        raise NotFound(f"No institution {scalars['institution_id']}.", field="institution_id")
    for key, value in scalars.items():
        setattr(specialist, key, value)
    if "specialties" in data:
        specialist.specialties = [
            SpecialistSpecialty(taxonomy_code=s["code"], is_primary=s["primary"]) for s in data["specialties"]
        ]
    if "languages" in data:
        specialist.language_rows = [SpecialistLanguage(language=code) for code in sorted(set(data["languages"]))]
    if "conditions" in data:
        specialist.conditions = [_expertise(item) for item in _unique_conditions(data["conditions"])]
    if "licensed_states" in data:
        specialist.licence_rows = [SpecialistLicence(state=state) for state in sorted(set(data["licensed_states"]))]


def _unique_conditions(items: list[dict]) -> list[dict]:
    seen: dict[tuple[str, str], dict] = {}
    for item in items:
        found = condition_catalogue.lookup(item["system"], item["code"])
        if found is None:
            raise Invalid(f"Unknown {item['system']} code {item['code']}.", field="conditions")
        seen[(found.system, found.code)] = {**item, "code": found.code}
    return list(seen.values())


def _expertise(item: dict) -> ConditionExpertise:
    return ConditionExpertise(
        system=item["system"],
        code=item["code"],
        cases_per_year=item["cases_per_year"],
        publications=item["publications"],
        center_of_expertise=item["center_of_expertise"],
    )


def _flush(session: Session) -> None:
    try:
        session.flush()
    except IntegrityError as exc:  # a concurrent writer got there first; the unit of work rolls back
        raise Conflict("That conflicts with data stored meanwhile.") from exc


def load_specialists(session: Session, ids: list[int]) -> list[Specialist]:
    """Specialists by id, in the order of `ids`, with what the directory shows."""
    if not ids:
        return []
    rows = session.scalars(select(Specialist).where(Specialist.id.in_(ids)).options(*_DIRECTORY_LOADS)).all()
    by_id = {s.id: s for s in rows}
    return [by_id[i] for i in ids if i in by_id]
