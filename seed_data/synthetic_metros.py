"""Metro anchors: the first specialists of every synthetic directory fill the largest US metros.

Weighted sampling alone leaves small specialties missing from whole cities (no medical oncologist
near the Texas Medical Center in 5,000). So every other specialist, up to ANCHORS of them, is placed
deterministically: anchor k = i // 2 goes to metro k % len(METROS) with specialty
ROUNDS[k // len(METROS)], in private practice within ANCHOR_RADIUS_MI of the metro's centre,
accepting second opinions there. That gives every metro five of every major specialty and two of
every paediatric subspecialty (the first 2 * ANCHORS specialists, inside the default directory of
`make run`); everyone else
follows the weighted draws as before, so academic centres and rare-disease expertise keep their share.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np

from reference import nucc, zip_centroids
from reference.populations import PEDIATRIC, population_of_code
from seed_data.synthetic_geo import zip_table

# The ten largest US metropolitan areas (Census 2020 MSAs) and a central ZIP of each, plus Phoenix,
# which passed Boston in the Census Bureau's 2023 estimates: either list of "the ten largest" holds.
METROS: dict[str, str] = {
    "New York": "10001",
    "Los Angeles": "90012",
    "Chicago": "60602",
    "Dallas": "75201",
    "Houston": "77030",
    "Washington DC": "20005",
    "Philadelphia": "19103",
    "Miami": "33136",
    "Atlanta": "30303",
    "Boston": "02115",
    "Phoenix": "85004",
}
MAJOR_WEIGHT = 3.5  # NUCC codes at least this common (thousands of US physicians) are major specialties
MAJOR_SPECIALTIES: tuple[str, ...] = tuple(t.code for t in nucc.TAXONOMIES if t.weight >= MAJOR_WEIGHT)
PER_METRO = 5
# A child needs the paediatric subspecialist, however small the field: two of each per metro.
PEDIATRIC_SUBSPECIALTIES: tuple[str, ...] = tuple(
    t.code for t in nucc.TAXONOMIES if population_of_code(t.code) == PEDIATRIC and t.code not in MAJOR_SPECIALTIES
)
PER_METRO_PEDIATRIC = 2
# Anchor k practises ROUNDS[k // len(METROS)]: the major specialties five times over, then the paediatric ones.
ROUNDS: tuple[str, ...] = MAJOR_SPECIALTIES * PER_METRO + PEDIATRIC_SUBSPECIALTIES * PER_METRO_PEDIATRIC
ANCHORS = len(METROS) * len(ROUNDS)
ANCHOR_STRIDE = 2
ANCHOR_RADIUS_MI = 12.0  # well inside the 25 miles a patient is promised
GOLDEN = 0.6180339887498949  # a low-discrepancy sequence spreads anchors over a metro's ZIPs


@dataclass(frozen=True)
class Anchors:
    """For a block: which members are anchors, their ZIP index and their specialty code."""

    is_anchor: np.ndarray
    zip_idx: np.ndarray  # -1 when not an anchor
    specialty: list[str | None]


@cache
def _metro_zips() -> tuple[np.ndarray, ...]:
    """Per metro, indices into the ZIP table of ZIPs within ANCHOR_RADIUS_MI of its centre."""
    zips, out = zip_table(), []
    for zip5 in METROS.values():
        centre = zip_centroids.known(zip5)
        dlat = (zips.lat - centre.lat) * 69.0
        dlon = (zips.lon - centre.lon) * 69.0 * np.cos(np.radians(centre.lat))
        out.append(np.flatnonzero(np.hypot(dlat, dlon) <= ANCHOR_RADIUS_MI))
    return tuple(out)


def anchors(first: int, n: int) -> Anchors:
    """The anchor placement of specialists first..first+n-1 (a function of the index alone)."""
    index = first + np.arange(n)
    number = index // ANCHOR_STRIDE
    is_anchor = (index % ANCHOR_STRIDE == 0) & (number < ANCHORS)
    metro = number % len(METROS)
    zip_idx = np.full(n, -1, dtype=np.int64)
    specialty: list[str | None] = [None] * n
    pools = _metro_zips()
    for j in np.flatnonzero(is_anchor).tolist():
        pool = pools[metro[j]]
        zip_idx[j] = pool[int(((number[j] * GOLDEN) % 1.0) * len(pool))]
        specialty[j] = ROUNDS[number[j] // len(METROS)]
    return Anchors(is_anchor, zip_idx, specialty)
