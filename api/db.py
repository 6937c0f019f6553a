"""Database engine, declarative base and the request-scoped session."""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar, TypeVar, overload

from flask import Flask, current_app, g
from sqlalchemy import DateTime, Dialect, MetaData, Table, TypeDecorator, create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

F = TypeVar("F", bound=Callable[..., Any])

# Stable constraint names so Alembic migrations are the same on SQLite and PostgreSQL.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base of every model."""

    metadata = MetaData(naming_convention=NAMING)
    __table__: ClassVar[Table]  # every model maps one Table (bulk loaders insert into it directly)


def utcnow() -> datetime:
    """The current time, timezone-aware UTC."""
    return datetime.now(UTC)


@overload
def as_utc(moment: datetime) -> datetime: ...
@overload
def as_utc(moment: None) -> None: ...
def as_utc(moment: datetime | None) -> datetime | None:
    """A moment as aware UTC; a naive one is taken to be UTC already (how SQLite hands stored ones back)."""
    if moment is None:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


class UtcDateTime(TypeDecorator[datetime]):
    """A timestamp column that stores and returns aware UTC on every database.

    PostgreSQL's timestamptz keeps the instant but answers in the session's zone; SQLite keeps no
    zone at all. Binding converts to UTC (a naive value is refused: its zone is unknown), reading
    marks the value UTC, so `row.at > utcnow()` never mixes naive and aware.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Aware UTC in; a naive datetime is a programming error."""
        if value is not None and value.tzinfo is None:
            raise ValueError("a naive datetime cannot be stored: give it a time zone (use utcnow())")
        return as_utc(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        """Aware UTC out, whatever the driver returned."""
        return as_utc(value)


def make_engine(url: str) -> Engine:
    """An engine for `url`, with SQLite tuned for a concurrent web process.

    hide_parameters: bound values carry health data, so neither SQL logging nor an exception's
    text ever shows them.
    """
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False}, hide_parameters=True)
        event.listen(engine, "connect", _sqlite_pragmas)
        # pysqlite's own transaction handling is off and every transaction starts with
        # BEGIN IMMEDIATE: it takes the write lock up front (waiting up to busy_timeout), so
        # a transaction that reads and then writes (audit events on reads, conditional
        # updates on holds) can never fail with "database is locked" half-way through.
        # Long read-only work (index builds, exports) asks for a deferred BEGIN instead with
        # `engine.execution_options(sqlite_deferred=True)`: in WAL mode it then blocks no writer.
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=10, hide_parameters=True)


def _sqlite_begin(conn) -> None:
    deferred = conn.get_execution_options().get("sqlite_deferred", False)
    conn.exec_driver_sql("BEGIN" if deferred else "BEGIN IMMEDIATE")


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()


class Database:
    """Flask extension: one engine per app, one session per app context."""

    def init_app(self, app: Flask) -> None:
        """Create the engine for the app's DATABASE_URL and close sessions at teardown."""
        url = app.config["DATABASE_URL"]
        if url.startswith("sqlite:///"):
            Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        engine = make_engine(url)
        app.extensions["db"] = (engine, sessionmaker(engine, expire_on_commit=False))
        app.teardown_appcontext(self._close_session)

    @property
    def engine(self) -> Engine:
        """The engine of the current app."""
        return current_app.extensions["db"][0]

    def new_session(self) -> Session:
        """A fresh session outside the request scope (CLI commands, workers)."""
        return current_app.extensions["db"][1]()

    def read_sessionmaker(self) -> sessionmaker[Session]:
        """Sessions for read-only work beside a request (index builds): on SQLite they take no write lock."""
        return sessionmaker(self.engine.execution_options(sqlite_deferred=True), expire_on_commit=False)

    def read_only_session(self) -> Session:
        """A session that only reads: a deferred BEGIN on SQLite, a READ ONLY transaction on PostgreSQL.

        Read requests run on one, so on SQLite any number of them overlap (WAL readers never wait
        for one another or for a writer) and none ever holds the write lock.
        """
        engine = self.engine.execution_options(sqlite_deferred=True, postgresql_readonly=True)
        session = Session(engine, expire_on_commit=False)
        session.info[READ_ONLY] = True
        return session

    @property
    def session(self) -> Session:
        """The session of the current app context, created on first use."""
        if "db_session" not in g:
            g.db_session = self.new_session()
        return g.db_session

    @staticmethod
    def _close_session(_exc: BaseException | None) -> None:
        session = g.pop("db_session", None)
        if session is not None:
            session.close()


db = Database()
READ_ONLY = "read_only"  # Session.info key of a session that must not write


def reads_only(view: F) -> F:
    """Run a view on a read-only request session (matching, directory search, reference lookups).

    A view that writes must not be marked: `unit_of_work()` refuses a read-only session.
    """

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if "db_session" not in g:
            g.db_session = db.read_only_session()
        return view(*args, **kwargs)

    return wrapper  # type: ignore[return-value]
