"""A segment row turned back into the index document `search.documents.build_documents` makes."""

from __future__ import annotations

import math
from datetime import UTC, datetime

from reference import nucc
from reference.populations import POPULATIONS
from search.backends.segment import Segment
from search.backends.tables import NO_INT, as_iso_date


def document(seg: Segment, row: int) -> dict:
    """The index document of one row, the same dict `search.documents.build_documents` makes."""
    t, sp = seg.t, int(seg.doc_sp[row])
    src = int(seg.source_row[row])
    specialties = sorted(t.specialties.values[c] for c in t.spec_code[t.spec_ptr[sp] : t.spec_ptr[sp + 1]])
    held = []
    for i in range(t.cond_ptr[sp], t.cond_ptr[sp + 1]):
        system, code = t.keys.values[t.cond_key[i]]
        held.append(
            {
                "key": f"{system}:{code}",
                "system": system,
                "code": code,
                "group": t.key_groups.get(int(t.cond_key[i])),
                "cases_per_year": int(t.cond_cases[i]),
                "publications": int(t.cond_pubs[i]),
                "center_of_expertise": bool(t.cond_center[i]),
            }
        )
    held.sort(key=lambda c: c["key"])
    inst = int(t.institution[sp])
    inst_name, inst_kind, system = t.institutions.get(inst, (None, None, None)) if inst != NO_INT else (None,) * 3
    primary = int(seg.primary[sp])
    primary = NO_INT if primary == len(t.specialties) else primary
    na = float(t.next_available[src])
    return {
        "doc_id": str(int(t.plid[src])),
        "practice_location_id": int(t.plid[src]),
        "specialist_id": int(t.sid[sp]),
        "npi": f"{int(t.npi[sp]):010d}",
        "display_name": t.name[sp],
        "primary_specialty": t.specialties.values[primary] if primary != NO_INT else None,
        "specialties": specialties,
        "specialty_families": sorted({x.family for x in map(nucc.get, specialties) if x is not None}),
        "conditions": held,
        "condition_keys": [c["key"] for c in held],
        "condition_groups": sorted({c["group"] for c in held if c["group"]}),
        "languages": sorted(t.languages.values[c] for c in t.lang_code[t.lang_ptr[sp] : t.lang_ptr[sp + 1]]),
        "telehealth": bool(t.telehealth[sp]),
        "population": POPULATIONS[int(t.population[sp])],
        "licensed_states": sorted(t.places.values[c] for c in t.lic_code[t.lic_ptr[sp] : t.lic_ptr[sp + 1]]),
        "institution_id": None if inst == NO_INT else inst,
        "institution_name": inst_name,
        "institution_kind": inst_kind,
        "health_system_id": system,
        "self_pay_price_cents": None if t.price[sp] == NO_INT else int(t.price[sp]),
        "rating": None if math.isnan(t.rating[sp]) else float(t.rating[sp]),
        "review_count": int(t.reviews[sp]),
        "next_available": None if math.isnan(na) else _iso(na),
        "last_verified": as_iso_date(t.last_verified[sp]),
        "network_ids": [int(v) for v in t.net_id[t.net_ptr[src] : t.net_ptr[src + 1]]],
        "location": {"lat": float(t.lat[src]), "lon": float(t.lon[src])},
        "zip": t.places.values[t.zip_code[src]],
        "city": t.places.values[t.city[src]],
        "state": t.places.values[t.state[src]],
        "accepting": bool(seg.accepting[row]),
    }


def _iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, tz=UTC).isoformat()
