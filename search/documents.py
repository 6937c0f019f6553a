"""Index documents: one per specialist-location, built from the directory tables (never patient data)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.db import utcnow
from api.free_slots import next_available
from api.models import (
    ConditionExpertise,
    Institution,
    Location,
    NetworkParticipation,
    PracticeLocation,
    Specialist,
    SpecialistLanguage,
    SpecialistLicence,
    SpecialistSpecialty,
)
from reference import conditions as catalogue
from reference import nucc
from reference.populations import population_of

# What each field of a document means (ES mapping and embedded columns follow this list).
INDEX_FIELDS: dict[str, str] = {
    "doc_id": "str(practice_location_id); the Elasticsearch _id",
    "specialist_id": "Specialist.id",
    "practice_location_id": "PracticeLocation.id (FHIR PractitionerRole)",
    "npi": "10-digit NPI",
    "display_name": '"Dr. Jane Roe, MD": public directory data only',
    "primary_specialty": "NUCC code marked primary",
    "specialties": "every NUCC code held, primary included, sorted",
    "specialty_families": "reference.nucc family keys of those codes, sorted",
    "conditions": "[{key, system, code, group, cases_per_year, publications, center_of_expertise}] by key",
    "condition_keys": '"ORPHA:520"-style keys, sorted',
    "condition_groups": "ICD-10-CM 3-character categories and ORPHA-GROUP keys, sorted",
    "network_ids": "networks this specialist is in at this location, sorted",
    "location": "{lat, lon} of the location",
    "zip": "5-digit ZIP",
    "city": "city",
    "state": "2-letter state",
    "languages": "ISO 639-1 codes, sorted",
    "telehealth": "offers telehealth consultations",
    "accepting": "location takes new patients AND the specialist gives second opinions",
    "population": "whom the specialist sees: pediatric | adult | all (reference.populations)",
    "licensed_states": "2-letter states of the specialist's medical licences, sorted",
    "institution_id": "Institution.id or null",
    "institution_name": "name or null",
    "health_system_id": "HealthSystem.id of the institution, or null (affiliation = same institution or system)",
    "institution_kind": "academic_medical_center | community_practice | ... or null",
    "self_pay_price_cents": "published self-pay price or null (no self-pay)",
    "rating": "0..5 or null",
    "review_count": "number of reviews behind the rating",
    "next_available": "ISO-8601 UTC of the next free slot at this location, or null (none open)",
    "last_verified": "YYYY-MM-DD the entry was last verified, or null",
}
BATCH = 2000


def display_name(first: str, last: str, credentials: str | None) -> str:
    """How a specialist is named in results."""
    return f"Dr. {first} {last}" + (f", {credentials}" if credentials else "")


def build_documents(session: Session, specialist_ids: Iterable[int] | None = None) -> Iterator[dict]:
    """Documents for the given specialists (None: all), in specialist then location id order.

    Streams in batches, so memory stays bounded however large the directory is.
    """
    if specialist_ids is None:
        last = 0
        while True:
            ids = list(
                session.scalars(select(Specialist.id).where(Specialist.id > last).order_by(Specialist.id).limit(BATCH))
            )
            if not ids:
                return
            yield from _batch(session, ids)
            last = ids[-1]
    wanted = sorted(set(specialist_ids))
    for start in range(0, len(wanted), BATCH):
        yield from _batch(session, wanted[start : start + BATCH])


def _batch(session: Session, ids: list[int]) -> Iterator[dict]:
    s, inst = Specialist, Institution
    people = session.execute(
        select(
            s.id,
            s.npi,
            s.first_name,
            s.last_name,
            s.credentials,
            s.accepts_second_opinions,
            s.telehealth,
            s.self_pay_price_cents,
            s.rating,
            s.review_count,
            s.last_verified,
            s.institution_id,
            inst.name,
            inst.kind,
            inst.health_system_id,
            s.population,
        )
        .outerjoin(inst, inst.id == s.institution_id)
        .where(s.id.in_(ids))
        .order_by(s.id)
    ).all()
    specialties = _grouped(
        session,
        select(
            SpecialistSpecialty.specialist_id, SpecialistSpecialty.taxonomy_code, SpecialistSpecialty.is_primary
        ).where(SpecialistSpecialty.specialist_id.in_(ids)),
    )
    languages = _grouped(
        session,
        select(SpecialistLanguage.specialist_id, SpecialistLanguage.language).where(
            SpecialistLanguage.specialist_id.in_(ids)
        ),
    )
    licences = _grouped(
        session,
        select(SpecialistLicence.specialist_id, SpecialistLicence.state).where(
            SpecialistLicence.specialist_id.in_(ids)
        ),
    )
    ce = ConditionExpertise
    conditions = _grouped(
        session,
        select(ce.specialist_id, ce.system, ce.code, ce.cases_per_year, ce.publications, ce.center_of_expertise).where(
            ce.specialist_id.in_(ids)
        ),
    )
    pl, loc = PracticeLocation, Location
    practices = _grouped(
        session,
        select(pl.specialist_id, pl.id, pl.accepting_new_patients, loc.lat, loc.lon, loc.zip, loc.city, loc.state)
        .join(loc, loc.id == pl.location_id)
        .where(pl.specialist_id.in_(ids)),
    )
    np_ = NetworkParticipation
    networks = _grouped(
        session,
        select(np_.practice_location_id, np_.network_id)
        .join(pl, pl.id == np_.practice_location_id)
        .where(pl.specialist_id.in_(ids)),
    )

    soonest = next_available(session, [p[0] for rows in practices.values() for p in rows], utcnow())
    for row in people:
        codes = sorted(code for code, _ in specialties.get(row.id, ()))
        primary = next((code for code, is_primary in specialties.get(row.id, ()) if is_primary), None)
        held = sorted((_condition(catalogue, *c) for c in conditions.get(row.id, ())), key=lambda c: c["key"])
        base = {
            "specialist_id": row.id,
            "npi": row.npi,
            "display_name": display_name(row.first_name, row.last_name, row.credentials),
            "primary_specialty": primary,
            "specialties": codes,
            "specialty_families": sorted({t.family for t in map(nucc.get, codes) if t is not None}),
            "conditions": held,
            "condition_keys": [c["key"] for c in held],
            "condition_groups": sorted({c["group"] for c in held if c["group"]}),
            "languages": sorted(lang for (lang,) in languages.get(row.id, ())),
            "telehealth": bool(row.telehealth),
            "population": row.population or population_of(primary, codes),
            "licensed_states": sorted(state for (state,) in licences.get(row.id, ())),
            "institution_id": row.institution_id,
            "institution_name": row.name,
            "institution_kind": row.kind,
            "health_system_id": row.health_system_id,
            "self_pay_price_cents": row.self_pay_price_cents,
            "rating": row.rating,
            "review_count": row.review_count or 0,
            "last_verified": row.last_verified.isoformat() if row.last_verified else None,
        }
        for pl_id, accepting, lat, lon, zip_, city, state in sorted(practices.get(row.id, ())):
            yield {
                "doc_id": str(pl_id),
                "practice_location_id": pl_id,
                **base,
                "next_available": soonest[pl_id].isoformat() if pl_id in soonest else None,
                "network_ids": sorted(n for (n,) in networks.get(pl_id, ())),
                "location": {"lat": lat, "lon": lon},
                "zip": zip_,
                "city": city,
                "state": state,
                "accepting": bool(accepting) and bool(row.accepts_second_opinions),
            }


def _grouped(session: Session, query) -> dict[int, list[tuple]]:
    out: dict[int, list[tuple]] = defaultdict(list)
    for owner, *rest in session.execute(query):
        out[owner].append(tuple(rest))
    return out


def _condition(catalogue, system: str, code: str, cases: int, pubs: int, center: bool) -> dict:
    return {
        "key": f"{system}:{code}",
        "system": system,
        "code": code,
        "group": catalogue.group_of(system, code),
        "cases_per_year": cases or 0,
        "publications": pubs or 0,
        "center_of_expertise": bool(center),
    }
