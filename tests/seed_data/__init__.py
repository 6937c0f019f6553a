"""Tests for the offline reference data (seed_data)."""
