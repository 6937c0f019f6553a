"""Tests for geocoding and distances (api.geo)."""
