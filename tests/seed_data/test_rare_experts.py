"""Every rare disease the autocomplete offers has experts at three academic centres in `make run`'s
directory, each of a specialty that is a primary treater of the disease.

Seats depend on the specialist's index alone (seed_data.synthetic_experts), so the default directory
seeded here is exactly the one `make run` builds; a bigger directory only adds specialists.
"""
from __future__ import annotations

import io
from collections import defaultdict

import pytest
from sqlalchemy import text

from api.db import make_engine
from api.migrate import upgrade
from reference import conditions
from seed_data.synthetic import seed_directory
from seed_data.synthetic_experts import (
    DEFAULT_DIRECTORY, EXPERTS_PER_DISEASE, SEAT_DISEASES, block_seats, expert_treaters, seats,
)
from seed_data.synthetic_specialists import CONDITION_SLOTS, ORPHA_SLOT
from tests.seed_data.test_metro_density import DEFAULT_SEED, _makefile_default

NEUROSURGERY, MEDONC, RADONC, PEDHEMONC = "207T00000X", "207RX0202X", "2085R0001X", "2080P0207X"
EXPERTS = text("""
    SELECT ce.code, s.institution_id, ss.taxonomy_code
    FROM condition_expertise ce
    JOIN specialist s ON s.id = ce.specialist_id
    JOIN institution i ON i.id = s.institution_id AND i.kind = 'academic_medical_center'
    JOIN specialist_specialty ss ON ss.specialist_id = s.id
    WHERE ce.system = 'ORPHA' AND s.accepts_second_opinions""")


@pytest.fixture(scope="module")
def centres_by_disease(tmp_path_factory) -> dict[str, set[tuple[int, str]]]:
    """Per ORPHA code, the (academic institution, NUCC code) pairs of its experts in the default directory."""
    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('experts') / 'directory.db'}")
    upgrade(engine)
    seed_directory(engine, _makefile_default(), seed=DEFAULT_SEED, batch_size=1000, out=io.StringIO())
    found: dict[str, set[tuple[int, str]]] = defaultdict(set)
    with engine.connect() as conn:
        for code, institution_id, taxonomy in conn.execute(EXPERTS):
            found[code].add((institution_id, taxonomy))
    engine.dispose()
    return found


def test_every_orphanet_disease_has_primary_treater_experts_at_three_academic_centres(centres_by_disease):
    short = []
    for disease in conditions.all_conditions(conditions.ORPHA):
        primary = set(disease.treaters.primary)
        centres = {institution for institution, code in centres_by_disease[disease.code] if code in primary}
        if len(centres) < EXPERTS_PER_DISEASE:
            short.append((disease.code, len(centres)))
    assert short == []


def test_glioblastoma_experts_are_the_neuro_oncology_team(centres_by_disease):
    # ORPHA:360: the surgeon, the medical and the radiation oncologist, not a paediatrician as one of three.
    codes = {code for _, code in centres_by_disease["360"]}
    assert {NEUROSURGERY, MEDONC, RADONC} <= codes
    assert expert_treaters(conditions.treaters_for("ORPHA", "360").primary)[:3] == (NEUROSURGERY, MEDONC, RADONC)


def test_every_seat_fits_the_default_directory_and_its_slots():
    table = seats(60)
    assert _makefile_default() >= DEFAULT_DIRECTORY > table.last_index
    assert ORPHA_SLOT + SEAT_DISEASES <= CONDITION_SLOTS
    assert all(len(seat.diseases) <= SEAT_DISEASES for seat in table.seats)


def test_seats_depend_on_the_index_alone():
    # However the directory is cut into blocks, specialist i holds the same seat.
    whole = block_seats(0, 1200, 60)
    assert whole == block_seats(0, 600, 60) + block_seats(600, 600, 60)
    assert sum(seat is not None for seat in whole) == 200


def test_a_paediatric_twin_is_an_expert_only_without_its_adult_board():
    assert expert_treaters((MEDONC, PEDHEMONC)) == (MEDONC,)
    assert expert_treaters((PEDHEMONC,)) == (PEDHEMONC,)
