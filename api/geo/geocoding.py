"""Geocoding for SecondLook: an offline ZIP/city geocoder behind geopy's interface (distances: reference.earth)."""

from __future__ import annotations

import re
import string
from typing import Any

import numpy as np
from geopy.adapters import BaseAsyncAdapter, BaseSyncAdapter
from geopy.exc import GeocoderServiceError
from geopy.geocoders import Nominatim
from geopy.geocoders.base import DEFAULT_SENTINEL, Geocoder
from geopy.location import Location
from geopy.point import Point

from reference import zip_centroids
from reference.earth import distances_mi

__all__ = ["OfflineZipGeocoder", "make_geocoder"]

# Reverse geocoding answers only when a ZIP centroid is this close; beyond it the point is not in the US.
REVERSE_MAX_MI = 150.0
_ZIP = re.compile(r"(\d{5})(?:[-\s]?\d{4})?")
_TRAILING_ZIP = re.compile(r"[\s,]+(\d{5})(?:-\d{4})?$")
_COUNTRY = re.compile(r"[\s,]+(?:usa|us|u\.s\.a?\.?|united states(?: of america)?)$", re.I)
_CITY_STATE = re.compile(r"(?P<city>[^,\d]+?)\s*(?:,\s*|\s+)(?P<state>[A-Za-z]{2})")


class _NoNetworkAdapter(BaseSyncAdapter):
    """A geopy adapter that refuses to fetch: the offline geocoder must never touch the network."""

    def get_json(self, url, *, timeout, headers):  # noqa: D102 - geopy's signature
        raise GeocoderServiceError("OfflineZipGeocoder makes no network requests")

    def get_text(self, url, *, timeout, headers):  # noqa: D102 - geopy's signature
        raise GeocoderServiceError("OfflineZipGeocoder makes no network requests")


class OfflineZipGeocoder(Geocoder):
    """geopy geocoder for US ZIPs ("55905", "55905-0001") and cities ("Rochester, MN", "Rochester MN").

    Answers from the `zipcodes` package's centroids, so it needs no network, key or quota.
    With an async adapter_factory its methods return awaitables, like every geopy geocoder.
    """

    def __init__(
        self, *, user_agent: str | None = None, timeout: Any = DEFAULT_SENTINEL, adapter_factory: Any = None
    ) -> None:
        """Set up like any geopy geocoder; by default with an adapter that cannot reach the network."""
        super().__init__(user_agent=user_agent, timeout=timeout, adapter_factory=adapter_factory or _NoNetworkAdapter)

    def geocode(
        self, query: str | dict, *, exactly_one: bool = True, timeout: Any = DEFAULT_SENTINEL, limit: int | None = None
    ):
        """Locate a ZIP, "City, ST", "City ST" or a bare city; None when unknown.

        A dict query may carry "postalcode", "city" and "state", and `limit` caps the list, both as
        in geopy's Nominatim.
        """
        found = self._lookup(query)
        return self._answer(found[:1] if exactly_one else found[:limit], exactly_one)

    def reverse(self, query: Any, *, exactly_one: bool = True, timeout: Any = DEFAULT_SENTINEL):
        """Nearest ZIP centroids to a point ("lat, lon", (lat, lon) or Point); None if none within 150 mi."""
        point = Point(query)
        zips, lats, lons = zip_centroids.arrays()
        miles = distances_mi(point.latitude, point.longitude, lats, lons)
        nearest = np.argsort(miles)[: 1 if exactly_one else 5]
        found = [self._zip_location(zips[i], distance=float(miles[i])) for i in nearest if miles[i] <= REVERSE_MAX_MI]
        return self._answer(found, exactly_one)

    def _answer(self, found: list[Location], exactly_one: bool):
        result = (found[0] if found else None) if exactly_one else (found or None)
        if isinstance(self.adapter, BaseAsyncAdapter):

            async def deferred():
                return result

            return deferred()
        return result

    def _lookup(self, query: str | dict) -> list[Location]:
        if isinstance(query, dict):
            if query.get("postalcode"):
                query = str(query["postalcode"])
            else:
                query = ", ".join(str(query[k]) for k in ("city", "state") if query.get(k))
        text = _COUNTRY.sub("", " ".join(str(query).split()))
        if not text:
            return []
        if (m := _ZIP.fullmatch(text)) or (m := _TRAILING_ZIP.search(text)):
            return [self._zip_location(m.group(1))] if zip_centroids.get(m.group(1)) else []
        # "City, ST" / "City ST", or a street address whose last two comma-parts are city and state.
        parts = [p.strip() for p in text.split(",")]
        for candidate in (text, ", ".join(parts[-2:]) if len(parts) > 2 else None):
            m = _CITY_STATE.fullmatch(candidate) if candidate else None
            if m and zip_centroids.zips_in_city(m["city"], m["state"]):
                return [self._city_location(m["city"], m["state"].upper())]
        # A bare city: every state that has one, the one with the most ZIPs (the larger place) first.
        states: dict[str, int] = {}
        for _, centroid in zip_centroids.find_city(text):
            states[centroid.state] = states.get(centroid.state, 0) + 1
        return [self._city_location(text, state) for state in sorted(states, key=lambda s: (-states[s], s))]

    @staticmethod
    def _zip_location(zip5: str, distance: float | None = None) -> Location:
        c = zip_centroids.get(zip5)
        if c is None:  # callers pass known ZIPs only
            raise KeyError(zip5)
        raw: dict[str, Any] = {"zip": zip5, "city": c.city, "state": c.state, "county": c.county, "type": "zip"}
        if distance is not None:
            raw["distance_mi"] = round(distance, 3)
        return Location(f"{c.city}, {c.state} {zip5}", Point(c.lat, c.lon), raw)

    @staticmethod
    def _city_location(city: str, state: str) -> Location:
        pairs = zip_centroids.find_city(city, state)
        # Median, not mean: one far-flung ZIP that shares the city name shouldn't drag the centre.
        lat = float(np.median([c.lat for _, c in pairs]))
        lon = float(np.median([c.lon for _, c in pairs]))
        wanted = " ".join(city.split())
        # Matched through an alternative name only: echo the query's words rather than another town's.
        key = zip_centroids.city_key(wanted)
        name = next((c.city for _, c in pairs if zip_centroids.city_key(c.city) == key), string.capwords(wanted))
        central = min(pairs, key=lambda p: (p[1].lat - lat) ** 2 + (p[1].lon - lon) ** 2)
        raw = {
            "zip": central[0],
            "city": name,
            "state": state,
            "county": central[1].county,
            "zips": [z for z, _ in pairs],
            "type": "city",
        }
        return Location(f"{name}, {state}", Point(lat, lon), raw)


def make_geocoder(name: str = "offline", user_agent: str = "secondlook", timeout: float = 5.0) -> Geocoder:
    """The configured geocoder: "offline" (default, bundled ZIP data) or "nominatim" (OpenStreetMap)."""
    kind = (name or "offline").strip().lower()
    if kind == "offline":
        return OfflineZipGeocoder(user_agent=user_agent, timeout=timeout)
    if kind == "nominatim":
        return Nominatim(user_agent=user_agent, timeout=timeout)
    raise ValueError(f"Unknown geocoder {name!r}; use 'offline' or 'nominatim'.")
