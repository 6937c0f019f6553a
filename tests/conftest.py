"""Fixtures shared by every test: a migrated database per run, a fresh app and clean tables per test.

The database is SQLite unless SECONDLOOK_TEST_DATABASE_URL names another (CI runs the suite
a second time on PostgreSQL that way).
"""
from __future__ import annotations

import os

import pytest
from sqlalchemy import create_engine, inspect, make_url, text

from sqlalchemy.orm import Session

from api.app import create_app
from api.config import TestConfig
from api.db import Base, make_engine
from api.migrate import upgrade

POSTGRES_URL = os.environ.get("SECONDLOOK_TEST_DATABASE_URL", "")


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    """A migrated, empty database of this test run's own (so concurrent runs never collide)."""
    if not POSTGRES_URL:
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
        _migrate(url)
        yield url
        return
    server = make_url(POSTGRES_URL)
    name = f"{server.database}_{os.getpid()}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE template0'))
    url = server.set(database=name).render_as_string(hide_password=False)
    _migrate(url)
    yield url
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _migrate(url: str) -> None:
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()


@pytest.fixture
def app(database_url):
    """A fresh app per test from the factory; every table is emptied afterwards."""
    application = create_app(TestConfig(DATABASE_URL=database_url))
    yield application
    with application.app_context():
        _empty_tables(application.extensions["db"][0])
        application.extensions["db"][0].dispose()


@pytest.fixture
def client(app):
    """A test client of the app."""
    return app.test_client()


@pytest.fixture
def session(app):
    """A database session of the test's own (commit it to make rows visible to requests).

    It is deliberately not the request session: holding an app context open here would make
    Flask reuse it, and its `g`, for every request of the test client.
    """
    # Deferred BEGIN: the test's session may sit on a read between requests without holding
    # SQLite's write lock (which the request's own BEGIN IMMEDIATE would then wait for).
    engine = app.extensions["db"][0].execution_options(sqlite_deferred=True)
    own = Session(engine, expire_on_commit=False)
    yield own
    own.close()


def _empty_tables(engine) -> None:
    tables = [t.name for t in reversed(Base.metadata.sorted_tables)]
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                conn.execute(text(f"DELETE FROM {table}"))
            if inspect(conn).has_table("sqlite_sequence"):
                conn.execute(text("DELETE FROM sqlite_sequence"))
