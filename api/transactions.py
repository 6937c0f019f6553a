"""Opening a write transaction that SQLite cannot refuse halfway.

In WAL mode SQLite refuses (SQLITE_BUSY_SNAPSHOT, no waiting) a transaction that read first and
then tries to write after another connection committed. A transaction whose first statement
writes waits for the lock instead (busy_timeout), like BEGIN IMMEDIATE. PostgreSQL needs nothing.
(api/db.py now begins every SQLite transaction IMMEDIATE, which makes the extra statement a
no-op; it keeps these write paths correct whichever way transactions begin.)
"""
from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import Session

# Matches no row, but makes SQLite take the write lock for the rest of the transaction.
_TAKE_WRITE_LOCK = text("UPDATE idempotency_record SET id = id WHERE 0 = 1")


def begin_write(session: Session) -> None:
    """Commit what the session has, then start a transaction that holds the write lock from its start."""
    session.commit()
    if session.get_bind().dialect.name == "sqlite":
        session.execute(_TAKE_WRITE_LOCK)
