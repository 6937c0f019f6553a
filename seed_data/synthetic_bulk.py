"""Bulk-write helpers of the synthetic seeder: idempotent inserts by natural key, id ranges, sequences."""

from __future__ import annotations

from sqlalchemy import Connection, Table, func, select, text


def ensure_rows(conn: Connection, table: Table, key: str, rows: list[dict]) -> dict[str, int]:
    """Insert the rows whose natural key is absent; return key -> id for all of them."""
    wanted = [row[key] for row in rows]
    query = select(table.c[key], table.c.id).where(table.c[key].in_(wanted))
    found = dict(conn.execute(query).all())
    missing = [row for row in rows if row[key] not in found]
    if missing:
        conn.execute(table.insert(), missing)
        found = dict(conn.execute(query).all())
    return found


def ids_between(conn: Connection, table: Table, lo: int, hi: int) -> set[int]:
    """Ids of `table` in [lo, hi): which explicitly numbered rows exist already."""
    return set(conn.scalars(select(table.c.id).where(table.c.id >= lo, table.c.id < hi)))


def bump_sequences(conn: Connection, tables: list[Table]) -> None:
    """On PostgreSQL, move each id sequence past the highest id, after rows were inserted with explicit ids."""
    if conn.dialect.name != "postgresql":
        return  # SQLite hands out max(id) + 1 by itself
    for table in tables:
        top = conn.scalar(select(func.max(table.c.id)))
        if top is not None:
            conn.execute(text("SELECT setval(pg_get_serial_sequence(:t, 'id'), :v)"), {"t": table.name, "v": top})
