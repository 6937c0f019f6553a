"""The synthetic directory: N specialists streamed into the database in resumable batches.

`seed_directory` is deterministic in (seed, N): each specialist's rows, ids included, are a
function of the seed and the specialist's index. A batch is one transaction, so after an
interruption every specialist is either wholly there or wholly absent; a re-run looks up which
indexes exist and adds only the others. The search index is a copy: rebuild it after seeding.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TextIO

from sqlalchemy import Connection, select
from sqlalchemy.engine import Engine

from api.models import Base, Specialist
from seed_data.synthetic_block import BLOCK, TABLES, SeedContext, build_context, generate_block
from seed_data.synthetic_bulk import bump_sequences, ids_between
from seed_data.synthetic_practices import OWN_LOCATION_BASE, PARTICIPATION_SLOTS, PRACTICE_SLOTS
from seed_data.synthetic_specialists import CONDITION_SLOTS, synthetic_npi

# (table, first id, ids per specialist) of every explicitly numbered child row.
ID_SLOTS = (
    ("practice_location", 1, PRACTICE_SLOTS),
    ("location", OWN_LOCATION_BASE, PRACTICE_SLOTS),
    ("network_participation", 1, PARTICIPATION_SLOTS),
    ("condition_expertise", 1, CONDITION_SLOTS),
)
IN_CHUNK = 5000  # bound parameters per IN (...) query; SQLite allows 32766
# SQLite's default 2 MB page cache makes a million random-order index inserts re-read pages all the time.
SQLITE_CACHE_KIB = 65536


@dataclass
class SeedSummary:
    """What a seeding run added, and how long it took."""

    requested: int
    specialists: int = 0
    locations: int = 0
    practice_locations: int = 0
    participations: int = 0
    conditions: int = 0
    already_present: int = 0
    conflicts: int = 0  # indexes whose id or NPI another row holds: left out
    seconds: float = 0.0

    @property
    def resumed(self) -> bool:
        """True when part of the directory was there already (an earlier or interrupted run)."""
        return self.already_present > 0

    def describe(self) -> str:
        """One line for the terminal."""
        return (
            f"synthetic directory of {self.requested:,}: added {self.specialists:,} specialists "
            f"({self.already_present:,} already present, {self.conflicts:,} left out for id/NPI conflicts), "
            f"{self.practice_locations:,} practice locations, {self.locations:,} own offices, "
            f"{self.participations:,} network participations, {self.conditions:,} condition expertise rows "
            f"in {self.seconds:,.1f} s{' (resumed)' if self.resumed else ''}"
        )


def seed_directory(
    engine: Engine,
    count: int,
    *,
    seed: int = 42,
    batch_size: int = 5000,
    out: TextIO = sys.stderr,
    after_batch: Callable[[int], None] | None = None,
) -> SeedSummary:
    """Make sure specialists 0..count-1 of the seed's directory exist; `after_batch(n)` runs after each commit."""
    started = time.monotonic()
    with engine.begin() as conn:
        ctx = build_context(conn, seed)
    summary, batches_started = SeedSummary(requested=count), time.monotonic()
    batches = -(-count // batch_size)
    for number in range(batches):
        lo, hi = number * batch_size, min(count, (number + 1) * batch_size)
        with engine.begin() as conn:
            if conn.dialect.name == "sqlite":
                conn.exec_driver_sql(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}")
            present, blocked = _occupied(conn, ctx, lo, hi)
            summary.already_present += len(present)
            summary.conflicts += len(blocked)
            if len(present) + len(blocked) < hi - lo:
                _insert_batch(conn, ctx, lo, hi, present | blocked, summary)
        if after_batch is not None:
            after_batch(number)
        _progress(out, summary, hi, count, number + 1, batches, time.monotonic() - batches_started)
    summary.seconds = time.monotonic() - started
    return summary


def _insert_batch(conn: Connection, ctx: SeedContext, lo: int, hi: int, skip: set[int], summary: SeedSummary) -> None:
    rows: dict[str, list[dict]] = {table: [] for table in TABLES}
    for block in range(lo // BLOCK, -(-hi // BLOCK)):
        for table, block_rows in generate_block(ctx, block, lo, hi, skip).items():
            rows[table] += block_rows
    tables = Base.metadata.tables
    for table in TABLES:
        if rows[table]:
            conn.execute(tables[table].insert(), rows[table])
    bump_sequences(
        conn,
        [
            tables[t]
            for t in ("specialist", "location", "practice_location", "network_participation", "condition_expertise")
        ],
    )
    summary.specialists += len(rows["specialist"])
    summary.locations += len(rows["location"])
    summary.practice_locations += len(rows["practice_location"])
    summary.participations += len(rows["network_participation"])
    summary.conditions += len(rows["condition_expertise"])


def _occupied(conn: Connection, ctx: SeedContext, lo: int, hi: int) -> tuple[set[int], set[int]]:
    """Indexes in [lo, hi) already seeded, and those whose ids or NPI some other row holds."""
    tables = Base.metadata.tables
    present = {i - 1 for i in ids_between(conn, tables["specialist"], lo + 1, hi + 1)}
    if len(present) == hi - lo:
        return present, set()
    blocked: set[int] = set()
    for table, base, slots in ID_SLOTS:
        blocked |= {(i - base) // slots for i in ids_between(conn, tables[table], base + lo * slots, base + hi * slots)}
    blocked -= present
    npis = {synthetic_npi(ctx.seed, i): i for i in range(lo, hi) if i not in present and i not in blocked}
    keys = list(npis)
    for start in range(0, len(keys), IN_CHUNK):
        query = select(Specialist.npi).where(Specialist.npi.in_(keys[start : start + IN_CHUNK]))
        blocked |= {npis[npi] for npi in conn.scalars(query)}
    return present, blocked


def _progress(
    out: TextIO, summary: SeedSummary, done: int, count: int, batch: int, batches: int, elapsed: float
) -> None:
    rate = summary.specialists / elapsed if elapsed > 0 else 0.0
    eta = (count - done) / rate if rate > 0 else 0.0
    out.write(
        f"seed: {done:,}/{count:,} specialists ({100 * done / count:.1f}%), batch {batch}/{batches}, "
        f"{rate:,.0f}/s, ETA {int(eta // 60)}m{int(eta % 60):02d}s\n"
    )
    out.flush()
