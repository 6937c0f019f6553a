"""Tests of issue 5: coverage."""
