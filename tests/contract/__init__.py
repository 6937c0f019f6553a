"""Contract tests: the running app against its own OpenAPI document (schemathesis)."""
