"""Tests of the cluster backend (Elasticsearch and OpenSearch clients) on real OpenSearch nodes."""
