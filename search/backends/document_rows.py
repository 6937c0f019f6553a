"""A segment row turned back into the index document `search.documents.build_documents` makes.

What is the same for many specialists (the strings of a set of specialties and their families, of
a condition key and its group) is worked out once when the segment is built (`DocumentParts`);
a shortlist then only gathers, and builds each specialist's part once however many of their
locations it holds.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import NamedTuple

import numpy as np

from reference import nucc
from reference.populations import POPULATIONS
from search.backends.tables import NO_INT, Tables, as_iso_date


class DocumentParts:
    """The static, shared strings of documents: per set of specialties and per condition key."""

    def __init__(self, t: Tables, specialty_sets: np.ndarray) -> None:
        names, none = t.specialties.values, len(t.specialties)
        self.specialties: list[tuple[str, ...]] = []
        self.families: list[tuple[str, ...]] = []
        for codes in specialty_sets.tolist():
            held = sorted(names[c] for c in codes if c != none)
            self.specialties.append(tuple(held))
            self.families.append(tuple(sorted({x.family for x in map(nucc.get, held) if x is not None})))
        # Per condition key: (key, system, code, group).
        self.keys = [(f"{s}:{c}", s, c, t.key_groups.get(k)) for k, (s, c) in enumerate(t.keys.values)]


class SpecialistPart(NamedTuple):
    """Everything of a document that belongs to the specialist rather than to the location."""

    npi: str
    name: str
    primary: str | None
    set_index: int  # into DocumentParts' specialties and families
    held: list[dict]
    languages: list[str]
    telehealth: bool
    population: str
    licensed: list[str]
    institution: tuple  # (id, name, kind, health system id), each None when there is none
    price: int | None
    rating: float | None
    reviews: int
    last_verified: str | None


def document(seg, row: int, made: dict[int, SpecialistPart] | None = None) -> dict:
    """The index document of one row, the same dict `search.documents.build_documents` makes."""
    t, sp = seg.t, int(seg.doc_sp[row])
    src = int(seg.source_row[row])
    part = None if made is None else made.get(sp)
    if part is None:
        part = _specialist_part(seg, sp)
        if made is not None:
            made[sp] = part
    parts = seg.document_parts
    conditions = [dict(c) for c in part.held]  # fresh per document: callers may change what they get
    na = float(seg.next_available[row])
    inst_id, inst_name, inst_kind, system = part.institution
    return {
        "doc_id": str(int(t.plid[src])),
        "practice_location_id": int(t.plid[src]),
        "specialist_id": int(t.sid[sp]),
        "npi": part.npi,
        "display_name": part.name,
        "primary_specialty": part.primary,
        "specialties": list(parts.specialties[part.set_index]),
        "specialty_families": list(parts.families[part.set_index]),
        "conditions": conditions,
        "condition_keys": [c["key"] for c in conditions],
        "condition_groups": sorted({c["group"] for c in conditions if c["group"]}),
        "languages": list(part.languages),
        "telehealth": part.telehealth,
        "population": part.population,
        "licensed_states": list(part.licensed),
        "institution_id": inst_id,
        "institution_name": inst_name,
        "institution_kind": inst_kind,
        "health_system_id": system,
        "self_pay_price_cents": part.price,
        "rating": part.rating,
        "review_count": part.reviews,
        "next_available": None if math.isnan(na) else _iso(na),
        "last_verified": part.last_verified,
        "network_ids": t.net_id[t.net_ptr[src] : t.net_ptr[src + 1]].tolist(),
        "location": {"lat": float(t.lat[src]), "lon": float(t.lon[src])},
        "zip": t.places.values[t.zip_code[src]],
        "city": t.places.values[t.city[src]],
        "state": t.places.values[t.state[src]],
        "accepting": bool(seg.accepting[row]),
    }


def _specialist_part(seg, sp: int) -> SpecialistPart:
    # Slices as lists: a numpy scalar read per field and condition cost more than the rest of a match.
    t, keys = seg.t, seg.document_parts.keys
    lo, hi = t.cond_ptr[sp : sp + 2].tolist()
    held = []
    for k, cases, pubs, center in zip(
        t.cond_key[lo:hi].tolist(),
        t.cond_cases[lo:hi].tolist(),
        t.cond_pubs[lo:hi].tolist(),
        t.cond_center[lo:hi].tolist(),
        strict=True,
    ):
        key, system, code, group = keys[k]
        held.append(
            {
                "key": key,
                "system": system,
                "code": code,
                "group": group,
                "cases_per_year": cases,
                "publications": pubs,
                "center_of_expertise": center,
            }
        )
    held.sort(key=lambda c: c["key"])
    inst = int(t.institution[sp])
    inst_name, inst_kind, system = t.institutions.get(inst, (None, None, None)) if inst != NO_INT else (None,) * 3
    primary = int(seg.primary[sp])
    languages, places = t.languages.values, t.places.values
    price, rating = int(t.price[sp]), float(t.rating[sp])
    return SpecialistPart(
        f"{int(t.npi[sp]):010d}",
        t.name[sp],
        t.specialties.values[primary] if primary != len(t.specialties) else None,
        int(seg.profile_set[seg.profile[sp]]),
        held,
        sorted(languages[c] for c in t.lang_code[t.lang_ptr[sp] : t.lang_ptr[sp + 1]].tolist()),
        bool(t.telehealth[sp]),
        POPULATIONS[int(t.population[sp])],
        sorted(places[c] for c in t.lic_code[t.lic_ptr[sp] : t.lic_ptr[sp + 1]].tolist()),
        (None if inst == NO_INT else inst, inst_name, inst_kind, system),
        None if price == NO_INT else price,
        None if math.isnan(rating) else rating,
        int(t.reviews[sp]),
        as_iso_date(t.last_verified[sp]),
    )


def _iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, tz=UTC).isoformat()
