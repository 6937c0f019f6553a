"""Elasticsearch pieces: the index mapping, the candidate query and the indexer behind the alias."""
