"""The matching benchmark's baselines rank as the engine does: the same top ten, the same totals.

`bench/match_naive.py` (SQL filters, Python scores) and `bench/match_postgis.py` (the score in SQL
over PostGIS) are timed against the embedded engine in docs/performance.md; their answers only
mean something if they are the engine's answers. A small seeded directory, the benchmark's own
varied cases plus treatment and diagnosis questions about conditions pathologists hold, and a
PostGIS schema of this test's own on the test PostgreSQL server.
"""
from __future__ import annotations

import dataclasses
import io
import os
import subprocess
import uuid
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.orm import sessionmaker

from api.db import make_engine
from api.migrate import upgrade
from bench.match_cases import NOW, make_cases
from bench.match_naive import NaiveSql
from bench.match_postgis import PostgisIndex
from reference import zip_centroids
from reference.specialty_map import DIAGNOSTIC_SPECIALTIES
from search.backends.embedded import EmbeddedBackend
from search.backends.segment import Segment
from search.backends.tables_sql import tables_from_database
from search.case import REASONS, MatchCase
from seed_data.synthetic import seed_directory

ROOT = Path(__file__).resolve().parents[2]
SPECIALISTS = 1500
CASES = 120


@pytest.fixture(scope="module")
def directory(tmp_path_factory):
    """A migrated SQLite directory of 1,500 synthetic specialists (seed 42, as the benchmark's)."""
    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('baselines') / 'directory.db'}")
    upgrade(engine)
    seed_directory(engine, SPECIALISTS, seed=42, out=io.StringIO())
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def postgres_url():
    """A PostgreSQL server with PostGIS in its database: the benchmark's (SECONDLOOK_BENCH_POSTGRES_URL), the
    suite's (SECONDLOOK_TEST_DATABASE_URL), or scripts/postgres.sh's, started here and stopped after if none runs."""
    for setting in ("SECONDLOOK_BENCH_POSTGRES_URL", "SECONDLOOK_TEST_DATABASE_URL"):
        if os.environ.get(setting, "").startswith("postgresql"):
            yield os.environ[setting]
            return
    running = subprocess.run([ROOT / "scripts" / "postgres.sh", "status"], capture_output=True).returncode == 0
    ensured = subprocess.run([ROOT / "scripts" / "postgres.sh", "ensure"], capture_output=True, text=True, check=True)
    yield ensured.stdout.strip()
    if not running:
        subprocess.run([ROOT / "scripts" / "postgres.sh", "stop"], capture_output=True, check=True)


@pytest.fixture(scope="module")
def engines(directory, postgres_url):
    """(embedded, naive, PostGIS) over the same directory; the PostGIS schema is dropped afterwards."""
    embedded = EmbeddedBackend(session_factory=sessionmaker(directory))
    embedded.rebuild(progress=lambda _message: None)
    postgis = PostgisIndex(postgres_url, f"baselines_{uuid.uuid4().hex[:10]}")
    with sessionmaker(directory)() as session:
        postgis.load(Segment(tables_from_database(session)), say=lambda _message: None)
    yield embedded, NaiveSql(directory), postgis
    postgis.conn.execute(f"DROP SCHEMA IF EXISTS {postgis.schema} CASCADE")
    postgis.conn.close()


@pytest.fixture(scope="module")
def cases(directory):
    """The benchmark's cases, every reason for conditions that pathologists and imagers hold, and
    cases that exclude a health system or carry a distinctive word of an excluded institution's name."""
    with directory.connect() as conn:
        held = conn.execute(text(
            "SELECT DISTINCT ce.system, ce.code FROM condition_expertise ce JOIN specialist_specialty ss "
            "ON ss.specialist_id = ce.specialist_id AND ss.is_primary WHERE ss.taxonomy_code IN ("
            + ", ".join(f"'{code}'" for code in sorted(DIAGNOSTIC_SPECIALTIES)) + ") ORDER BY 1, 2")).all()
    places = [zip_centroids.get(z) for z in ("10016", "60611", "77030", "90033", "19104")]
    reviewed = [MatchCase(conditions=(tuple(pair),), reason=REASONS[i % len(REASONS)],
                          point=(places[i % 5].lat, places[i % 5].lon), max_distance_mi=150.0,
                          telehealth_ok=i % 3 == 0, limit=10, now=NOW)
                for i, pair in enumerate(held[:40])]
    # Health systems 1 and 7 are New York's and Houston's academic centres (seed_data.synthetic_institutions).
    affiliated = [dataclasses.replace(case, point=(places[i % 3 * 2].lat, places[i % 3 * 2].lon),
                                      exclude_health_system_ids=frozenset({1, 7}),
                                      affiliation_words=frozenset({("york", "houston", "angeles")[i % 3]}))
                  for i, case in enumerate(make_cases(directory, 30, seed=11))]
    return make_cases(directory, CASES) + reviewed + affiliated


def _engine_answer(embedded, case) -> tuple[list[int], int]:
    result = embedded.match(case)
    return [c.specialist_id for c in result.candidates], result.total


def test_the_baselines_rank_the_cases_as_the_engine(engines, cases):
    embedded, naive, postgis = engines
    expected = [_engine_answer(embedded, case) for case in cases]
    assert sum(bool(ids) for ids, _ in expected) >= len(cases) // 2, "too few answers to compare"
    for name, baseline in (("naive", naive), ("PostGIS", postgis)):
        found = [baseline.match(case) for case in cases]
        wrong = [(i, cases[i].reason, e, f) for i, (e, f) in enumerate(zip(expected, found)) if e != f]
        assert wrong == [], f"{name}: {len(wrong)} of {len(cases)} differ, first {wrong[:2]}"
