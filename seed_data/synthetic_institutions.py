"""Synthetic academic medical centres in the big metros and community practices across the map.

Both are reference data: a fixed set, the same whatever the seed or the number of specialists, so
re-running or growing a directory never duplicates them. Their locations are shared by the
specialists who work there.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np
from sqlalchemy import Connection

from api.models import HealthSystem, Institution, Location
from seed_data.synthetic_bulk import ensure_rows
from seed_data.synthetic_geo import ZipTable, cumulative, phone, street_address

REFERENCE_SEED = 20261122  # fixed: reference data must not depend on the directory's seed
ACADEMIC_CITIES = 60
CAMPUSES = 3  # a main campus and two outpatient centres
COMMUNITY_PRACTICES = 1500
ACADEMIC_NAMES = (
    "Synthetic University Medical Center of {city}",
    "Synthetic {city} Academic Health System",
    "Synthetic {city} Teaching Hospital & Clinics",
)
COMMUNITY_ADJECTIVES = (
    "Riverside",
    "Lakeside",
    "Summit",
    "Valley",
    "Northside",
    "Parkview",
    "Cedar",
    "Oak Hill",
    "Bayview",
    "Harbor",
    "Meadowbrook",
    "Pinecrest",
    "Westgate",
    "Eastgate",
    "Hillcrest",
    "Southside",
    "Fairview",
    "Greenway",
    "Brookside",
    "Crossroads",
)
COMMUNITY_KINDS = (
    "Multispecialty Group",
    "Specialty Associates",
    "Medical Partners",
    "Physicians Group",
    "Health Partners",
    "Specialty Clinic",
)
FULL_ACCESS = ["wheelchair_accessible", "accessible_parking", "asl_interpreter", "hearing_loop"]
# Each academic centre heads a health system; this share of community practices belongs to the
# system of the nearest centre (the rest are independent).
SYSTEM_MEMBER_SHARE = 0.4
SYSTEM_NAME = "{name} Health Network"


@dataclass(frozen=True)
class InstitutionChoice:
    """Where affiliated specialists can work: ids, names and campuses as parallel arrays."""

    academic_ids: np.ndarray
    academic_names: tuple[str, ...]
    academic_cdf: np.ndarray  # bigger metros' centres employ more specialists
    campus_location: np.ndarray  # (centre, campus) location id
    campus_zip: np.ndarray  # (centre, campus) ZIP index
    community_ids: np.ndarray
    community_names: tuple[str, ...]
    community_location: np.ndarray
    community_zip: np.ndarray


def _academic_plan(zips: ZipTable) -> list[tuple[str, list[int], float]]:
    """(name, campus ZIP indices, staffing weight) per academic centre, biggest metros first."""
    by_city: dict[tuple[str, str], list[int]] = defaultdict(list)
    for i, key in enumerate(zip(zips.city, zips.state, strict=True)):
        by_city[key].append(i)
    cities = sorted(by_city, key=lambda k: (-zips.weight[by_city[k]].sum(), k))[:ACADEMIC_CITIES]
    plan = []
    for rank, (city, _state) in enumerate(cities):
        members = sorted(by_city[(city, _state)], key=lambda i: (-zips.weight[i], i))
        count = 3 if rank < 4 else 2 if rank < 15 else 1
        for c in range(count):
            campuses = [members[(c + count * k) % len(members)] for k in range(CAMPUSES)]
            plan.append((ACADEMIC_NAMES[c].format(city=city), campuses, zips.weight[members].sum() / count))
    return plan


def _community_plan(zips: ZipTable, rng: np.random.Generator) -> list[tuple[str, int]]:
    names: set[str] = set()
    plan = []
    for z, adj, kind in zip(
        zips.sample(rng.random(COMMUNITY_PRACTICES)).tolist(),
        rng.integers(0, len(COMMUNITY_ADJECTIVES), COMMUNITY_PRACTICES).tolist(),
        rng.integers(0, len(COMMUNITY_KINDS), COMMUNITY_PRACTICES).tolist(),
        strict=True,
    ):
        base = f"Synthetic {COMMUNITY_ADJECTIVES[adj]} {COMMUNITY_KINDS[kind]} of {zips.city[z]}"
        name, n = base, 1
        while name in names:  # two practices of the same name in one city get a site number
            n += 1
            name = f"{base} {n}"
        names.add(name)
        plan.append((name, z))
    return plan


def _system_members(zips: ZipTable, academic, community, heads: list[int]) -> list[int | None]:
    """Per community practice: the health system of the nearest academic centre, for a fixed share of them."""
    rng = np.random.default_rng(REFERENCE_SEED + 1)  # its own stream: the other draws stay as they were
    joins = rng.random(len(community)) < SYSTEM_MEMBER_SHARE
    centre_zip = np.array([campuses[0] for _, campuses, _ in academic])
    out: list[int | None] = []
    for (_, z), joined in zip(community, joins.tolist(), strict=True):
        if not joined:
            out.append(None)
            continue
        squared = (zips.lat[centre_zip] - zips.lat[z]) ** 2 + ((zips.lon[centre_zip] - zips.lon[z]) * 0.8) ** 2
        out.append(heads[int(np.argmin(squared))])
    return out


def ensure_institutions(conn: Connection, zips: ZipTable) -> InstitutionChoice:
    """Create whatever synthetic institutions and campuses are missing; return the choice arrays."""
    rng = np.random.default_rng(REFERENCE_SEED)
    academic, community = _academic_plan(zips), _community_plan(zips, rng)
    system_ids = ensure_rows(
        conn,
        HealthSystem.__table__,
        "name",
        [{"name": SYSTEM_NAME.format(name=name), "is_synthetic": True} for name, _, _ in academic],
    )
    heads = [system_ids[SYSTEM_NAME.format(name=name)] for name, _, _ in academic]
    members = _system_members(zips, academic, community, heads)
    inst_rows = [
        {
            "name": name,
            "kind": "academic_medical_center",
            "city": zips.city[campuses[0]],
            "state": zips.state[campuses[0]],
            "health_system_id": head,
            "is_synthetic": True,
        }
        for (name, campuses, _), head in zip(academic, heads, strict=True)
    ]
    inst_rows += [
        {
            "name": name,
            "kind": "community_practice",
            "city": zips.city[z],
            "state": zips.state[z],
            "health_system_id": member,
            "is_synthetic": True,
        }
        for (name, z), member in zip(community, members, strict=True)
    ]
    inst_ids = ensure_rows(conn, Institution.__table__, "name", inst_rows)
    places = [
        (name, f"{name} — {'Main Campus' if k == 0 else f'Outpatient Center {k}'}", z, FULL_ACCESS)
        for name, campuses, _ in academic
        for k, z in enumerate(campuses)
    ]
    places += [(name, name, z, FULL_ACCESS[:2]) for name, z in community]
    loc_rows = []
    for (inst, place, z, access), u in zip(places, rng.random((len(places), 6)).tolist(), strict=True):
        loc_rows.append(
            {
                "name": place,
                "address_line": street_address(
                    int(100 + u[0] * 9800), int(u[1] * 97), int(u[2] * 13), int(u[3] * 9) * 100
                ),
                "city": zips.city[z],
                "state": zips.state[z],
                "zip": zips.zips[z],
                "lat": round(float(zips.lat[z]) + (u[4] - 0.5) * 0.01, 6),
                "lon": round(float(zips.lon[z]) + (u[5] - 0.5) * 0.01, 6),
                "phone": phone(zips.area_code[z], int(u[0] * 1000)),
                "accessibility": access,
                "institution_id": inst_ids[inst],
            }
        )
    loc_ids = ensure_rows(conn, Location.__table__, "name", loc_rows)
    weights = np.array([w for *_, w in academic])
    return InstitutionChoice(
        academic_ids=np.array([inst_ids[name] for name, _, _ in academic]),
        academic_names=tuple(name for name, _, _ in academic),
        academic_cdf=cumulative(weights),
        campus_location=np.array(
            [[loc_ids[places[a * CAMPUSES + k][1]] for k in range(CAMPUSES)] for a in range(len(academic))]
        ),
        campus_zip=np.array([campuses for _, campuses, _ in academic]),
        community_ids=np.array([inst_ids[name] for name, _ in community]),
        community_names=tuple(name for name, _ in community),
        community_location=np.array([loc_ids[name] for name, _ in community]),
        community_zip=np.array([z for _, z in community]),
    )
