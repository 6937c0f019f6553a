"""Geocoding (no Flask here: usable from scripts and workers); distances are reference.earth's."""

from api.geo.geocoding import OfflineZipGeocoder, make_geocoder

__all__ = ["OfflineZipGeocoder", "make_geocoder"]
