"""Geocoding and distance helpers (no Flask here: usable from scripts and workers)."""
from api.geo.geocoding import EARTH_RADIUS_MI, OfflineZipGeocoder, distance_mi, haversine_mi, make_geocoder

__all__ = ["OfflineZipGeocoder", "make_geocoder", "distance_mi", "haversine_mi", "EARTH_RADIUS_MI"]
