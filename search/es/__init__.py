"""Cluster pieces shared by Elasticsearch and OpenSearch: engines, mapping, candidate query, indexer, outbox."""
