"""Where synthetic specialists practise: metro-weighted ZIP sampling, nearby ZIPs, addresses, phones."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np
import zipcodes

from reference import zip_centroids

# The 50 states, DC and Puerto Rico: the places payers in the synthetic directory serve.
STATES: tuple[str, ...] = (
    "AK",
    "AL",
    "AR",
    "AZ",
    "CA",
    "CO",
    "CT",
    "DC",
    "DE",
    "FL",
    "GA",
    "HI",
    "IA",
    "ID",
    "IL",
    "IN",
    "KS",
    "KY",
    "LA",
    "MA",
    "MD",
    "ME",
    "MI",
    "MN",
    "MO",
    "MS",
    "MT",
    "NC",
    "ND",
    "NE",
    "NH",
    "NJ",
    "NM",
    "NV",
    "NY",
    "OH",
    "OK",
    "OR",
    "PA",
    "PR",
    "RI",
    "SC",
    "SD",
    "TN",
    "TX",
    "UT",
    "VA",
    "VT",
    "WA",
    "WI",
    "WV",
    "WY",
)
STATE_INDEX = {state: i for i, state in enumerate(STATES)}
# population_proxy counts ZIP neighbours, so summing it over ZIPs counts dense areas twice;
# a power below 1 keeps cities heavy without New York alone taking a sixth of the country.
METRO_EXPONENT = 0.75
STREETS = (
    "Main",
    "Oak",
    "Maple",
    "Cedar",
    "Elm",
    "Washington",
    "Lake",
    "Hill",
    "Park",
    "Pine",
    "Walnut",
    "Spring",
    "Ridge",
    "Church",
    "Market",
    "Lincoln",
    "Madison",
    "Franklin",
    "Jefferson",
    "Highland",
    "Sunset",
    "River",
    "Meadow",
    "Forest",
    "College",
    "Medical Center",
    "Hospital",
    "University",
    "Commerce",
    "Center",
)
STREET_KINDS = ("St", "Ave", "Blvd", "Rd", "Dr", "Way", "Pkwy", "Ln")


def cumulative(weights, axis: int = -1) -> np.ndarray:
    """Weights as a CDF ending at exactly 1.0, so searchsorted on a uniform in [0, 1) stays in range."""
    cdf = np.cumsum(weights, axis=axis) / np.sum(weights, axis=axis, keepdims=True)
    cdf[..., -1] = 1.0
    return cdf


@dataclass(frozen=True)
class ZipTable:
    """Street-delivery ZIPs in STATES, sorted, with place data and a sampling CDF as parallel arrays."""

    zips: tuple[str, ...]
    city: tuple[str, ...]
    state: tuple[str, ...]
    area_code: tuple[str, ...]
    lat: np.ndarray
    lon: np.ndarray
    state_idx: np.ndarray
    weight: np.ndarray
    cdf: np.ndarray
    zip3_start: np.ndarray  # the run of ZIPs sharing this ZIP's first three digits (a postal region)
    zip3_stop: np.ndarray

    def sample(self, u: np.ndarray) -> np.ndarray:
        """ZIP indices for uniforms `u`, weighted toward metro areas."""
        return np.searchsorted(self.cdf, u, side="right")

    def nearby(self, idx: np.ndarray, u: np.ndarray) -> np.ndarray:
        """Another ZIP of the same postal region as each of `idx` (itself when it is alone there)."""
        start, stop = self.zip3_start[idx], self.zip3_stop[idx]
        pick = start + np.floor(u * (stop - start)).astype(np.int64)
        same = (pick == idx) & (stop - start > 1)
        pick[same] = start[same] + (pick[same] - start[same] + 1) % (stop[same] - start[same])
        return pick


@cache
def zip_table() -> ZipTable:
    """The shared ZIP table (built once, ~2 s)."""
    # PO-box, unique and military ZIPs have no street to put a practice on.
    kinds = {row["zip_code"]: row for row in zipcodes.list_all() if row["zip_code_type"] == "STANDARD"}
    proxy = zip_centroids.population_proxy()
    rows = []
    for zip5 in zip_centroids.all_zips():
        centroid, row = zip_centroids.get(zip5), kinds.get(zip5)
        if row is None or centroid is None or centroid.state not in STATE_INDEX:
            continue
        area = (row["area_codes"] or ["555"])[0]
        rows.append((zip5, centroid.city, centroid.state, area, centroid.lat, centroid.lon, proxy[zip5]))
    zips, city, state, area, lat, lon, proxy_w = zip(*rows, strict=True)
    weight = np.asarray(proxy_w, dtype=np.float64) ** METRO_EXPONENT
    cdf = cumulative(weight)
    prefixes = np.asarray([int(z[:3]) for z in zips])
    starts = np.searchsorted(prefixes, prefixes, side="left")
    stops = np.searchsorted(prefixes, prefixes, side="right")
    return ZipTable(
        zips,
        city,
        state,
        area,
        np.asarray(lat),
        np.asarray(lon),
        np.asarray([STATE_INDEX[s] for s in state]),
        weight,
        cdf,
        starts,
        stops,
    )


def street_address(number: int, street: int, kind: int, suite: int) -> str:
    """A plausible street address such as "1450 Cedar Ave, Suite 210"."""
    line = f"{number} {STREETS[street % len(STREETS)]} {STREET_KINDS[kind % len(STREET_KINDS)]}"
    return f"{line}, Suite {suite}" if suite else line


def phone(area_code: str, line: int) -> str:
    """A phone number in the 555-0100..0199 range reserved for fiction, e.g. "617-555-0142"."""
    return f"{area_code}-555-01{line % 100:02d}"
