"""The models and the migrations describe the same schema, on SQLite and on PostgreSQL.

The session's database was built by running every migration (conftest); Alembic's autogenerate
comparison then lists what a new revision would have to change. It must find nothing.
"""
from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Column, Integer, MetaData, Table

import api.models  # noqa: F401  (registers every table)
from api.db import Base, make_engine


def _differences(database_url: str, metadata: MetaData) -> list:
    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True, "compare_server_default": True})
            return compare_metadata(context, metadata)
    finally:
        engine.dispose()


def test_the_migrated_database_matches_the_models(database_url):
    assert _differences(database_url, Base.metadata) == []


def test_the_comparison_sees_a_table_the_migrations_lack(database_url):
    # Guards the check above: a model with no migration must show up as a difference.
    metadata = MetaData()
    for table in Base.metadata.tables.values():
        table.to_metadata(metadata)
    Table("not_migrated", metadata, Column("id", Integer, primary_key=True))
    added = [diff for diff in _differences(database_url, metadata) if diff[0] == "add_table"]
    assert [diff[1].name for diff in added] == ["not_migrated"]
