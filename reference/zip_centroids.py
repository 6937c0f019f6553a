"""US ZIP code centroids from the `zipcodes` package (derived once, then stored), plus a metro-density weight."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from types import MappingProxyType
from typing import NamedTuple

import numpy as np
import zipcodes

from reference import catalogue_store
from reference.earth import EARTH_RADIUS_MI

# ~15 miles is a metro area's reach: a centroid with many others that close sits in a city.
METRO_RADIUS_MI = 15.0


class Centroid(NamedTuple):
    """A ZIP's centre and place; indexable as (lat, lon, city, state, county)."""

    lat: float
    lon: float
    city: str
    state: str
    county: str


# "St. Paul", "Saint Paul" and "st paul" are one city; same for Fort/Ft and Mount/Mt.
_ABBREVIATIONS = {"st": "saint", "ste": "sainte", "ft": "fort", "mt": "mount"}


def city_key(city: str) -> str:
    """Comparable form of a city name: case-folded, dots dropped, St/Ft/Mt spelled out."""
    words = city.casefold().replace(".", " ").split()
    return " ".join(_ABBREVIATIONS.get(w, w) for w in words)


class _Tables(NamedTuple):
    by_zip: dict[str, Centroid]
    by_city: dict[tuple[str, str], tuple[str, ...]]  # (city key, state) -> ZIPs
    states_of_city: dict[str, tuple[str, ...]]  # city key -> states that have such a city


@cache
def _load() -> _Tables:
    by_zip: dict[str, Centroid] = {}
    by_city: dict[tuple[str, str], list[str]] = {}
    shared: dict[str, str] = {}  # a city, state or county name is one object however many ZIPs share it
    for zip5, lat, lon, city, state, county, cities in _stored_rows():
        city, state, county = (shared.setdefault(v, v) for v in (city, state, county))
        by_zip[zip5] = Centroid(lat, lon, city, state, county)
        for key in {city_key(c) for c in (city, *cities)}:
            by_city.setdefault((key, state), []).append(zip5)
    states: dict[str, list[str]] = {}
    for key, state in sorted(by_city):
        states.setdefault(key, []).append(state)
    return _Tables(by_zip, {k: tuple(sorted(v)) for k, v in by_city.items()}, {k: tuple(v) for k, v in states.items()})


def _stored_rows() -> list[list]:
    # The zipcodes package keeps its 42k row dicts for the life of the process (~140 MB); the few
    # columns used here are derived from it once and then read from var/cache (reference.catalogue_store).
    return catalogue_store.load_or_build("zip-centroids", _derive_rows)


def _derive_rows() -> list[list]:
    rows = []
    for row in zipcodes.list_all():
        lat, lon = float(row["lat"] or 0), float(row["long"] or 0)
        # Military APO/FPO ZIPs carry 0,0: they have no place to put a specialist.
        if lat == 0 and lon == 0:
            continue
        rows.append([row["zip_code"], lat, lon, row["city"], row["state"], row["county"], row["acceptable_cities"]])
    return rows


def get(zip5: str) -> Centroid | None:
    """Centroid of a 5-digit ZIP (a ZIP+4 is cut to its first five digits), or None."""
    return _load().by_zip.get(str(zip5).strip()[:5])


def known(zip5: str) -> Centroid:
    """Centroid of a ZIP taken from this table (all_zips, arrays); KeyError for any other."""
    return _load().by_zip[str(zip5).strip()[:5]]


@cache
def all_zips() -> tuple[str, ...]:
    """Every ZIP with coordinates, sorted."""
    return tuple(sorted(_load().by_zip))


def zips_in_city(city: str, state: str | None = None) -> list[str]:
    """ZIPs whose city (or an acceptable alternative name) matches; any state when none is given."""
    key, tables = city_key(city), _load()
    states = [state.strip().upper()] if state else tables.states_of_city.get(key, ())
    return sorted(z for s in states for z in tables.by_city.get((key, s), ()))


def find_city(city: str, state: str | None = None) -> list[tuple[str, Centroid]]:
    """(ZIP, centroid) pairs for a city, case-insensitive, acceptable city names included."""
    by_zip = _load().by_zip
    return [(z, by_zip[z]) for z in zips_in_city(city, state)]


@cache
def arrays() -> tuple[tuple[str, ...], np.ndarray, np.ndarray]:
    """ZIPs with parallel latitude and longitude arrays (degrees), for vectorised distance work."""
    zips, table = all_zips(), _load().by_zip
    lats = np.fromiter((table[z].lat for z in zips), dtype=np.float64, count=len(zips))
    lons = np.fromiter((table[z].lon for z in zips), dtype=np.float64, count=len(zips))
    lats.setflags(write=False)
    lons.setflags(write=False)
    return zips, lats, lons


@cache
def population_proxy() -> Mapping[str, float]:
    """Per ZIP, how many ZIP centroids lie within 15 miles (itself included): high in cities.

    ZIPs are drawn about one per few thousand residents in dense areas, so neighbour counts track
    population well enough to give a synthetic directory a realistic metro-heavy spread.
    """
    zips, lats, lons = arrays()
    counts = _neighbour_counts(lats, lons, METRO_RADIUS_MI)
    return MappingProxyType(dict(zip(zips, counts.astype(float).tolist(), strict=True)))


def _neighbour_counts(lats: np.ndarray, lons: np.ndarray, radius_mi: float) -> np.ndarray:
    # Sort by latitude, then compare each block only against the latitude band it can reach:
    # ~40k points become ~80 small matrices instead of one 40k x 40k one.
    order = np.argsort(lats)
    lat_r, lon_r = np.radians(lats[order]), np.radians(lons[order])
    band = radius_mi / EARTH_RADIUS_MI
    counts = np.empty(len(order), dtype=np.int64)
    block = 512
    for start in range(0, len(order), block):
        stop = min(start + block, len(order))
        lo = np.searchsorted(lat_r, lat_r[start] - band, side="left")
        hi = np.searchsorted(lat_r, lat_r[stop - 1] + band, side="right")
        # Equirectangular distance with each row's own cos(lat): within a 15-mile band that is far
        # under 1% from great-circle, and it spares a cosine per matrix cell.
        dx = (lon_r[None, lo:hi] - lon_r[start:stop, None]) * np.cos(lat_r[start:stop, None])
        dy = lat_r[None, lo:hi] - lat_r[start:stop, None]
        counts[start:stop] = np.count_nonzero(dx * dx + dy * dy <= band * band, axis=1)
    result = np.empty_like(counts)
    result[order] = counts
    return result
