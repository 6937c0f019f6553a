"""Turning places and condition references from requests into validated values."""

from __future__ import annotations

from flask import current_app
from flask_smorest import abort
from geopy.exc import GeopyError

from api.errors import Invalid
from api.geo.geocoding import make_geocoder
from reference import conditions as condition_catalogue
from reference import zip_centroids


def geocoder():
    """The app's geopy geocoder (offline ZIP centroids unless configured otherwise)."""
    ext = current_app.extensions
    if "geocoder" not in ext:
        cfg = current_app.config
        ext["geocoder"] = make_geocoder(cfg["GEOCODER"], cfg["GEOCODER_USER_AGENT"], cfg["GEOCODER_TIMEOUT_S"])
    return ext["geocoder"]


def geocode(query: str, limit: int = 5) -> list:
    """Places matching a ZIP or "City, ST"; a geocoder outage is a 503, not a crash."""
    try:
        found = geocoder().geocode(query, exactly_one=False, limit=limit) if limit > 1 else [geocoder().geocode(query)]
    except TypeError:  # geocoders without a `limit` argument
        found = geocoder().geocode(query, exactly_one=False)
    except GeopyError:
        abort(503, message="The geocoding service is unavailable; try a ZIP code.")
    return [place for place in (found or []) if place is not None][:limit]


def resolve_point(args: dict) -> tuple[float, float]:
    """The (lat, lon) a request names by `zip` or `lat`/`lon`; 422 naming the field otherwise."""
    if "lat" in args:
        return args["lat"], args["lon"]
    centroid = zip_centroids.get(args["zip"][:5])
    if centroid is None:
        raise Invalid("Unknown ZIP code.", field="zip", location="query")
    return centroid[0], centroid[1]


def parse_condition_ref(value: str, field: str) -> tuple[str, str]:
    """("ORPHA", "520") from "ORPHA:520" (or "ICD-10-CM:C92.0"), checked against the catalogue."""
    system, _, code = value.rpartition(":")
    found = condition_catalogue.lookup(system or "ICD-10-CM", code)
    if found is None:
        raise Invalid("Use SYSTEM:CODE with a known ICD-10-CM or ORPHA code.", field=field, location="query")
    return found.system, found.code
