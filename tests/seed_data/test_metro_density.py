"""`make run`'s directory answers in the largest metros: five specialists of every major specialty and two
of every paediatric subspecialty within 25 miles. Anchors depend on the specialist's index alone, so the first 2 * ANCHORS
specialists, seeded here, are exactly those of the default directory; the rest only add."""
from __future__ import annotations

import io
import re
from pathlib import Path

from sqlalchemy.orm import sessionmaker

from api.db import make_engine
from api.migrate import upgrade
from reference import zip_centroids
from search.backends.embedded import EmbeddedBackend
from search.case import MatchCase
from seed_data.synthetic import seed_directory
from seed_data.synthetic_metros import (
    ANCHOR_STRIDE, ANCHORS, MAJOR_SPECIALTIES, METROS, PEDIATRIC_SUBSPECIALTIES, PER_METRO, PER_METRO_PEDIATRIC, anchors,
)

DEFAULT_SEED = 42  # `secondlook seed`'s default, which `make run` uses
RADIUS_MI = 25.0


def _makefile_default() -> int:
    text = (Path(__file__).resolve().parents[2] / "Makefile").read_text()
    return int(re.search(r"^SPECIALISTS \?= (\d+)$", text, re.M).group(1))


def test_the_default_directory_holds_every_anchor():
    assert _makefile_default() >= ANCHOR_STRIDE * ANCHORS
    placed = anchors(0, _makefile_default())
    per_pair: dict[tuple, int] = {}
    for zip_idx, code in zip(placed.zip_idx.tolist(), placed.specialty):
        if code is not None:
            per_pair[(zip_idx >= 0, code)] = per_pair.get((zip_idx >= 0, code), 0) + 1
    assert all(per_pair[(True, code)] == PER_METRO * len(METROS) for code in MAJOR_SPECIALTIES)
    assert all(per_pair[(True, code)] == PER_METRO_PEDIATRIC * len(METROS) for code in PEDIATRIC_SUBSPECIALTIES)


def test_every_big_metro_finds_five_of_every_major_specialty_within_25_miles(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'metros.db'}")
    upgrade(engine)
    seed_directory(engine, ANCHOR_STRIDE * ANCHORS, seed=DEFAULT_SEED, batch_size=1000, out=io.StringIO())
    backend = EmbeddedBackend(session_factory=sessionmaker(engine))
    backend.rebuild(progress=lambda _msg: None)
    short = []
    for metro, zip5 in METROS.items():
        centre = zip_centroids.get(zip5)
        wanted = [(code, PER_METRO) for code in MAJOR_SPECIALTIES]
        wanted += [(code, PER_METRO_PEDIATRIC) for code in PEDIATRIC_SUBSPECIALTIES]
        for code, least in wanted:
            found = backend.match(MatchCase(specialty=code, point=(centre.lat, centre.lon), max_distance_mi=RADIUS_MI,
                                            limit=least))
            if found.total < least or any(c.distance_mi > RADIUS_MI for c in found.candidates):
                short.append((metro, code, found.total))
    assert short == []
    engine.dispose()
