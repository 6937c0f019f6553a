"""Offline geocoder (geopy interface)."""
from __future__ import annotations

import ast
import asyncio
from pathlib import Path

import pytest
from geopy.adapters import AioHTTPAdapter
from geopy.exc import GeocoderServiceError
from geopy.geocoders import Nominatim
from geopy.geocoders.base import Geocoder
from geopy.location import Location

from api.geo import geocoding
from api.geo.geocoding import OfflineZipGeocoder, make_geocoder
from reference.earth import distance_mi
from reference import zip_centroids

MAYO = (44.02, -92.47)


@pytest.fixture(scope="module")
def geocoder() -> OfflineZipGeocoder:
    """The default geocoder."""
    return make_geocoder()


def test_is_a_geopy_geocoder(geocoder):
    assert isinstance(geocoder, OfflineZipGeocoder)
    assert issubclass(OfflineZipGeocoder, Geocoder)
    # It cannot reach the network even if asked to.
    with pytest.raises(GeocoderServiceError):
        geocoder.adapter.get_json("https://example.org", timeout=1, headers={})


def test_zip_geocodes_to_its_centroid(geocoder):
    loc = geocoder.geocode("55905")
    assert isinstance(loc, Location)
    assert loc.address == "Rochester, MN 55905"
    assert loc.latitude == pytest.approx(MAYO[0], abs=0.01)
    assert loc.longitude == pytest.approx(MAYO[1], abs=0.01)
    assert (loc.raw["zip"], loc.raw["city"], loc.raw["state"]) == ("55905", "Rochester", "MN")
    assert geocoder.geocode("55905-1234").raw["zip"] == "55905"
    assert geocoder.geocode("Rochester, MN 55905").raw["zip"] == "55905"
    assert geocoder.geocode({"postalcode": "55905"}).raw["zip"] == "55905"


def test_street_address_falls_back_to_its_city(geocoder):
    loc = geocoder.geocode("Mayo Clinic, 200 First St SW, Rochester, MN")
    assert loc is not None and loc.address == "Rochester, MN"


@pytest.mark.parametrize("query", [
    "Rochester, MN", "Rochester MN", "rochester, mn, USA", {"city": "Rochester", "state": "MN"}])
def test_city_state_geocodes_near_the_city(geocoder, query):
    loc = geocoder.geocode(query)
    assert loc is not None and loc.address == "Rochester, MN"
    assert distance_mi(loc.latitude, loc.longitude, *MAYO) < 5
    assert loc.raw["state"] == "MN" and "55905" in loc.raw["zips"]
    assert zip_centroids.get(loc.raw["zip"]).city == "Rochester"


def test_bare_city_prefers_the_larger_place(geocoder):
    every = geocoder.geocode("Rochester", exactly_one=False)
    assert isinstance(every, list) and len(every) > 5
    assert {loc.raw["state"] for loc in every} >= {"MN", "NY"}
    assert geocoder.geocode("Rochester").raw["state"] == every[0].raw["state"]
    assert len(geocoder.geocode("Rochester", exactly_one=False, limit=3)) == 3


@pytest.mark.parametrize("query", ["00000", "99999", "Nowhere, ZZ", "Qwertyville", "", "   "])
def test_unknown_places_are_none(geocoder, query):
    assert geocoder.geocode(query) is None
    assert geocoder.geocode(query, exactly_one=False) is None


def test_exactly_one_false_returns_a_list(geocoder):
    found = geocoder.geocode("55905", exactly_one=False)
    assert [loc.raw["zip"] for loc in found] == ["55905"]


def test_reverse_finds_the_nearest_zip(geocoder):
    loc = geocoder.reverse("44.0225, -92.4668")
    assert loc.raw["zip"] == "55905" and loc.raw["distance_mi"] < 0.01
    nearby = geocoder.reverse((44.0225, -92.4668), exactly_one=False)
    assert len(nearby) == 5 and nearby[0].raw["zip"] == "55905"
    assert [l.raw["distance_mi"] for l in nearby] == sorted(l.raw["distance_mi"] for l in nearby)
    assert geocoder.reverse((48.8566, 2.3522)) is None  # Paris


def test_async_adapter_returns_awaitables():
    async def run():
        async with OfflineZipGeocoder(adapter_factory=AioHTTPAdapter) as geocoder:
            return await geocoder.geocode("55905")
    assert asyncio.run(run()).raw["zip"] == "55905"


def test_make_geocoder_choices():
    nominatim = make_geocoder("nominatim", user_agent="secondlook-tests", timeout=3.0)
    assert isinstance(nominatim, Nominatim)
    assert nominatim.timeout == 3.0 and nominatim.headers["User-Agent"] == "secondlook-tests"
    assert isinstance(make_geocoder("OFFLINE", "ua", 1.0), OfflineZipGeocoder)
    with pytest.raises(ValueError):
        make_geocoder("google", "ua", 1.0)


def test_geo_package_does_not_import_flask():
    for path in Path(geocoding.__file__).parent.glob("*.py"):
        tree = ast.parse(path.read_text())
        imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
        imported |= {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
        assert not {name for name in imported if name.split(".")[0] == "flask"}, path
