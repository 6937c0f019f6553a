"""Where each synthetic specialist practises (one to three places) and which networks each place is in.

Draws are made for a whole block of specialists at once, in a fixed order and size, so a
specialist's places do not depend on which of their neighbours are already in the database.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from datetime import timedelta

import numpy as np

from seed_data.synthetic_experts import Seat, block_seats
from seed_data.synthetic_geo import cumulative, phone, street_address
from seed_data.synthetic_metros import anchors

ACADEMIC, COMMUNITY, PRIVATE = 0, 1, 2
ACADEMIC_SHARE, COMMUNITY_SHARE = 0.18, 0.30  # the rest keep their own offices
LOCATION_COUNT_CDF = np.array([0.75, 0.93, 1.0])  # a quarter practise in two or three places
NETWORK_COUNT_CDF = cumulative([0.15, 0.25, 0.25, 0.20, 0.15])  # 2..6 networks per place
MAX_NETWORKS = 6
PRACTICE_SLOTS = 3  # id slots per specialist: practice_location id = 3 * index + k + 1
PARTICIPATION_SLOTS = 20  # network_participation id = 20 * index + 6 * k + m + 1
OWN_LOCATION_BASE = 100_000  # own offices: location id = base + 3 * index + k; below it, shared campuses
ACCESS = ("wheelchair_accessible", "accessible_parking", "asl_interpreter", "hearing_loop")
ACCESS_P = np.array([0.85, 0.7, 0.08, 0.04])


@dataclass(frozen=True)
class Practices:
    """A block's places of practice as (specialist, slot) arrays."""

    affiliation: np.ndarray
    institution_id: np.ndarray  # 0 for private practice
    institution_name: list[str | None]
    count: np.ndarray
    location_id: np.ndarray
    zip: np.ndarray
    own: np.ndarray
    lat: np.ndarray
    lon: np.ndarray
    address_u: np.ndarray
    access: np.ndarray
    accepting: np.ndarray
    networks: np.ndarray
    network_count: np.ndarray
    effective_days: np.ndarray
    anchor_specialty: list[str | None]  # a metro anchor's major specialty (seed_data.synthetic_metros)
    seat: list[Seat | None]  # a rare-disease expert's seat (seed_data.synthetic_experts)


def draw_practices(rng: np.random.Generator, ctx, first: int, n: int) -> Practices:
    """The places of specialists first..first+n-1, with their networks."""
    zips, inst, nets = ctx.zips, ctx.institutions, ctx.networks
    u = rng.random(n)
    affiliation = np.where(
        u < ACADEMIC_SHARE, ACADEMIC, np.where(u < ACADEMIC_SHARE + COMMUNITY_SHARE, COMMUNITY, PRIVATE)
    )
    anchor = anchors(first, n)
    affiliation[anchor.is_anchor] = PRIVATE  # an own office in the metro
    centre = np.searchsorted(inst.academic_cdf, rng.random(n))
    seat = block_seats(first, n, len(inst.academic_ids))
    for j, held in enumerate(seat):
        if held is not None:  # a rare-disease expert works at their seat's academic centre
            affiliation[j], centre[j] = ACADEMIC, held.centre
    practice = rng.integers(0, len(inst.community_ids), n)
    campus0 = np.where(rng.random(n) < 0.7, 0, rng.integers(1, 3, n))
    count = 1 + np.searchsorted(LOCATION_COUNT_CDF, rng.random(n))
    slot = np.arange(PRACTICE_SLOTS)
    campus = (campus0[:, None] + slot) % PRACTICE_SLOTS
    first_zip = np.select(
        [affiliation == ACADEMIC, affiliation == COMMUNITY],
        [inst.campus_zip[centre, campus0], inst.community_zip[practice]],
        zips.sample(rng.random(n)),
    )
    first_zip = np.where(anchor.is_anchor, anchor.zip_idx, first_zip)
    near = zips.nearby(np.repeat(first_zip, PRACTICE_SLOTS), rng.random(n * PRACTICE_SLOTS)).reshape(n, -1)
    academic = (affiliation == ACADEMIC)[:, None]
    zip_ = np.where(academic, inst.campus_zip[centre[:, None], campus], near)
    zip_[:, 0] = first_zip
    own = ~academic & ((slot > 0) | (affiliation == PRIVATE)[:, None])
    own_id = OWN_LOCATION_BASE + (first + np.arange(n))[:, None] * PRACTICE_SLOTS + slot
    shared_id = np.where(
        academic, inst.campus_location[centre[:, None], campus], inst.community_location[practice][:, None]
    )
    jitter = rng.normal(0.0, 0.01, (n, PRACTICE_SLOTS, 2))
    # Gumbel top-k: the first k networks by log weight + Gumbel noise are a weighted draw without repeats.
    logw = np.where(
        academic[:, :, None] & ~own[:, :, None],
        nets.academic_logw[zips.state_idx[zip_]],
        nets.logw[zips.state_idx[zip_]],
    )
    keys = logw + rng.gumbel(size=logw.shape)
    chosen = np.argsort(-keys, axis=2)[:, :, :MAX_NETWORKS]
    drawn = Practices(
        affiliation=affiliation,
        institution_id=np.select(
            [affiliation == ACADEMIC, affiliation == COMMUNITY],
            [inst.academic_ids[centre], inst.community_ids[practice]],
            0,
        ),
        institution_name=[
            inst.academic_names[c] if a == ACADEMIC else inst.community_names[p] if a == COMMUNITY else None
            for a, c, p in zip(affiliation.tolist(), centre.tolist(), practice.tolist(), strict=True)
        ],
        count=count,
        location_id=np.where(own, own_id, shared_id),
        zip=zip_,
        own=own,
        lat=zips.lat[zip_] + jitter[:, :, 0],
        lon=zips.lon[zip_] + jitter[:, :, 1] * 1.3,
        address_u=rng.random((n, PRACTICE_SLOTS, 5)),
        access=rng.random((n, PRACTICE_SLOTS, 4)) < ACCESS_P,
        accepting=rng.random((n, PRACTICE_SLOTS)) < 0.85,
        networks=nets.ids[chosen],
        network_count=2 + np.searchsorted(NETWORK_COUNT_CDF, rng.random((n, PRACTICE_SLOTS))),
        effective_days=rng.integers(60, 3650, (n, PRACTICE_SLOTS, MAX_NETWORKS)),
        anchor_specialty=anchor.specialty,
        seat=seat,
    )
    drawn.accepting[anchor.is_anchor, 0] = True  # an anchor takes new patients in the metro
    drawn.accepting[[j for j, held in enumerate(seat) if held is not None], 0] = True  # so does an expert
    return drawn


def practice_rows(ctx, p: Practices, j: int, index: int, rows: dict[str, list]) -> None:
    """Append the location, practice_location and network_participation rows of block member j.

    `p` is the block's draws as nested lists (see `as_lists`): per-element numpy indexing is slow.
    """
    zips = ctx.zips
    for k in range(p.count[j]):
        practice_id = index * PRACTICE_SLOTS + k + 1
        location_id = p.location_id[j][k]
        if p.own[j][k]:
            z, u = p.zip[j][k], p.address_u[j][k]
            rows["location"].append(
                {
                    "id": location_id,
                    "name": None,
                    "city": zips.city[z],
                    "state": zips.state[z],
                    "zip": zips.zips[z],
                    "address_line": street_address(
                        int(100 + u[0] * 9800), int(u[1] * 97), int(u[2] * 13), int(u[3] * 6) * 100
                    ),
                    "lat": round(p.lat[j][k], 6),
                    "lon": round(p.lon[j][k], 6),
                    "phone": phone(zips.area_code[z], int(u[4] * 100)),
                    "accessibility": [a for a, has in zip(ACCESS, p.access[j][k], strict=True) if has],
                    "institution_id": None,
                }
            )
        rows["practice_location"].append(
            {
                "id": practice_id,
                "specialist_id": index + 1,
                "location_id": location_id,
                "accepting_new_patients": p.accepting[j][k],
            }
        )
        networks, days = p.networks[j][k], p.effective_days[j][k]
        first_id = index * PARTICIPATION_SLOTS + k * MAX_NETWORKS + 1
        rows["network_participation"] += [
            {
                "id": first_id + m,
                "practice_location_id": practice_id,
                "network_id": networks[m],
                "effective_from": ctx.today - timedelta(days=days[m]),
                "effective_to": None,
            }
            for m in range(p.network_count[j][k])
        ]


def as_lists(draws):
    """The same draws with every array turned into (nested) Python lists, for fast per-row access."""
    return replace(
        draws,
        **{
            f.name: getattr(draws, f.name).tolist()
            for f in fields(draws)
            if isinstance(getattr(draws, f.name), np.ndarray)
        },
    )
