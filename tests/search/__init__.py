"""Tests of the search package: ranking, the embedded engine and index sync."""
