"""Tests of the Elasticsearch backend against a recording, query-evaluating fake node."""
