"""Tests of issue 5: billing."""
