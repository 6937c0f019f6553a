"""Tests of POST /v1/matches."""
