"""Hand-built index documents and random directories for ranking tests (no database needed)."""
from __future__ import annotations

import itertools
import random
from datetime import datetime, timedelta, timezone

from reference import conditions as catalogue
from reference.populations import POPULATIONS, population_of

NOW = datetime(2025, 6, 2, 14, 0, tzinfo=timezone.utc)
MANHATTAN = (40.7506, -73.9972)
HEMONC, IM, MEDONC, CARDIOLOGY = "207RH0003X", "207R00000X", "207RX0202X", "207RC0000X"
_ids = itertools.count(1)


def held(system: str, code: str, cases: int = 0, publications: int = 0, center: bool = False) -> dict:
    """A condition the specialist holds, with its catalogue group."""
    return {"key": f"{system}:{code}", "system": system, "code": code, "group": catalogue.group_of(system, code),
            "cases_per_year": cases, "publications": publications, "center_of_expertise": center}


def make_doc(*, specialist_id: int | None = None, practice_location_id: int | None = None,
             specialties=(MEDONC,), conditions=(), lat: float = MANHATTAN[0], lon: float = MANHATTAN[1],
             networks=(), languages=("en",), telehealth: bool = False, accepting: bool = True,
             institution: tuple[int, str, str] | None = None, price: int | None = 40000,
             rating: float | None = None, reviews: int = 0, next_available: datetime | None = None,
             population: str | None = None, licensed_states=("NY",), health_system_id: int | None = None) -> dict:
    """One index document shaped like `search.documents.build_documents` output."""
    sid = specialist_id or next(_ids)
    plid = practice_location_id or next(_ids) + 10_000
    conds = sorted(conditions, key=lambda c: c["key"])
    inst_id, inst_name, inst_kind = institution or (None, None, None)
    return {
        "doc_id": str(plid), "practice_location_id": plid, "specialist_id": sid, "npi": f"{1_000_000_000 + sid}",
        "display_name": f"Dr. Test {sid}, MD", "primary_specialty": specialties[0],
        "specialties": sorted(specialties), "specialty_families": [], "conditions": conds,
        "condition_keys": [c["key"] for c in conds], "condition_groups": sorted({c["group"] for c in conds}),
        "network_ids": sorted(networks), "location": {"lat": lat, "lon": lon}, "zip": "10001", "city": "New York",
        "state": "NY", "languages": sorted(languages), "telehealth": telehealth, "accepting": accepting,
        "population": population or population_of(specialties[0], specialties), "licensed_states": sorted(licensed_states),
        "institution_id": inst_id, "institution_name": inst_name, "institution_kind": inst_kind,
        "health_system_id": health_system_id if health_system_id is not None else INSTITUTION_SYSTEMS.get(inst_id),
        "self_pay_price_cents": price, "rating": rating, "review_count": reviews if rating is not None else 0,
        "next_available": next_available.isoformat() if next_available else None, "last_verified": "2025-01-15",
    }


CODES = (("ORPHA", "520"), ("ORPHA", "98"), ("ICD-10-CM", "C92.00"), ("ICD-10-CM", "C92.10"),
         ("ICD-10-CM", "I10"), ("ICD-10-CM", "C50.911"))
SPECIALTIES = (HEMONC, MEDONC, IM, CARDIOLOGY, "207RH0000X", "207RN0300X")
INSTITUTIONS = ((1, "Mayo Clinic", "academic_medical_center"), (2, "Mayo Clinic Health System", "community_practice"),
                (3, "Cleveland Clinic", "academic_medical_center"), (4, "Riverside Practice", "community_practice"))
INSTITUTION_SYSTEMS = {1: 10, 2: 10, 3: 11}  # Riverside belongs to no health system
STATES = ("NY", "NJ", "PA", "CT", "TX")


def random_directory(seed: int, specialists: int = 300) -> list[dict]:
    """A reproducible random directory with ties, shared locations, slots and every kind of null."""
    rng = random.Random(seed)
    docs, plid = [], 1
    for sid in range(1, specialists + 1):
        codes = rng.sample(CODES, rng.randint(0, 3))
        conds = [held(s, c, rng.randint(0, 200), rng.randint(0, 40), rng.random() < 0.2) for s, c in codes]
        rating = rng.choice((None, 3.5, 4.0, 4.9))
        slot = NOW + timedelta(days=rng.randint(0, 30), hours=rng.randint(0, 23)) if rng.random() < 0.5 else None
        person = dict(specialist_id=sid, specialties=tuple(rng.sample(SPECIALTIES, rng.randint(1, 2))),
                      conditions=conds, languages=tuple(rng.sample(("en", "es", "fr", "zh"), rng.randint(1, 2))),
                      telehealth=rng.random() < 0.4, institution=rng.choice((None, *INSTITUTIONS)),
                      price=rng.choice((None, 30000, 45000)), rating=rating, reviews=rng.randint(1, 300),
                      next_available=slot, population=rng.choice(POPULATIONS),
                      licensed_states=tuple(rng.sample(STATES, rng.randint(1, 3))))
        for _ in range(rng.randint(1, 3)):
            # Coarse coordinates make exact distance ties between specialists common.
            lat, lon = round(rng.uniform(38, 42), 1), round(rng.uniform(-80, -72), 1)
            docs.append(make_doc(**person, practice_location_id=plid, lat=lat, lon=lon,
                                 networks=rng.sample((1, 2, 3, 4), rng.randint(0, 2)), accepting=rng.random() < 0.9))
            plid += 1
    return docs
