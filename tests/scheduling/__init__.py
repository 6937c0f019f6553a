"""Tests of issue 5: scheduling."""
