"""One block of the synthetic directory: every row of BLOCK consecutive specialists, from its own stream.

A block's random stream is seeded from (seed, block number) alone, so specialist i comes out the
same whatever the batch size, however many runs it took, and whether or not the run was resumed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import numpy as np
from sqlalchemy import Connection

from api.db import utcnow
from seed_data import synthetic_names as names
from seed_data.synthetic_geo import ZipTable, zip_table
from seed_data.synthetic_institutions import InstitutionChoice, ensure_institutions
from seed_data.synthetic_insurance import NetworkChoice, ensure_insurance
from seed_data.synthetic_practices import as_lists, draw_practices, practice_rows
from seed_data.synthetic_specialists import draw_people, person_rows
from seed_data.synthetic_specialties import SpecialtyModel, specialty_model

BLOCK = 100
# Insert order: parents before the rows that reference them.
TABLES = (
    "location",
    "specialist",
    "practice_location",
    "network_participation",
    "specialist_specialty",
    "specialist_language",
    "specialist_licence",
    "condition_expertise",
)


@dataclass(frozen=True)
class SeedContext:
    """Everything a block needs besides its random stream: reference data, models and the clock."""

    seed: int
    zips: ZipTable
    model: SpecialtyModel
    networks: NetworkChoice
    institutions: InstitutionChoice
    pool_cdf: np.ndarray
    language_p: np.ndarray
    today: date  # last_verified and effective_from are relative to the day of the run
    now: datetime


def build_context(conn: Connection, seed: int) -> SeedContext:
    """Create the missing reference data (payers, networks, plans, institutions) and load the models."""
    zips = zip_table()
    networks = ensure_insurance(conn)
    institutions = ensure_institutions(conn, zips)
    now = utcnow()
    return SeedContext(
        seed=seed,
        zips=zips,
        model=specialty_model(),
        networks=networks,
        institutions=institutions,
        pool_cdf=names.pool_cdf_by_state(),
        language_p=names.language_probabilities(),
        today=now.date(),
        now=now,
    )


def block_rng(seed: int, block: int) -> np.random.Generator:
    """The PCG64 stream of one block."""
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence([seed % 2**64, block])))


def generate_block(ctx: SeedContext, block: int, lo: int, hi: int, skip: set[int]) -> dict[str, list[dict]]:
    """Rows of the block's specialists with index in [lo, hi), leaving out the indexes in `skip`."""
    rng = block_rng(ctx.seed, block)
    first = block * BLOCK
    practices = draw_practices(rng, ctx, first, BLOCK)
    people = as_lists(draw_people(rng, ctx, practices))
    practices = as_lists(practices)
    rows: dict[str, list[dict]] = {table: [] for table in TABLES}
    for j in range(max(lo - first, 0), min(hi - first, BLOCK)):
        if first + j not in skip:
            practice_rows(ctx, practices, j, first + j, rows)
            person_rows(ctx, people, practices, j, first + j, rows)
    return rows
