"""Tests for the runtime reference data (reference/)."""
