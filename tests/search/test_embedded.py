"""The embedded engine answers exactly what the reference ranking answers, from documents or the database."""
import dataclasses
import math
import random

import numpy as np
import pytest

from search.backends.embedded import EmbeddedBackend
from search.backends.grid import grid_ranges
from search.backends.document_rows import document
from search.backends.segment import CELL_DEG, N_LON
from search.case import REASONS, MatchCase
from search.documents import build_documents
from search.ranking import rank
from search.retrieval import retrieve
from reference.earth import EARTH_RADIUS_MI, distance_mi
from tests.factories import make_institution, make_network, make_specialist
from tests.search.docs import CODES, NOW, SPECIALTIES, random_directory


def _random_case(rng: random.Random) -> MatchCase:
    conditions = tuple(rng.sample(CODES, rng.randint(0, 2)))
    plan = rng.random() < 0.5
    return MatchCase(
        conditions=conditions, specialty=rng.choice(SPECIALTIES) if not conditions or rng.random() < 0.2 else None,
        point=None if rng.random() < 0.05 else (rng.uniform(38, 42), rng.uniform(-80, -72)),
        max_distance_mi=rng.choice((10.0, 50.0, 150.0, 3000.0)), telehealth_ok=rng.random() < 0.5,
        plan_id=7 if plan else None, network_ids=frozenset(rng.sample((1, 2, 3, 4), 2)) if plan else frozenset(),
        self_pay=not plan and rng.random() < 0.5, languages=tuple(rng.sample(("en", "es", "fr"), rng.randint(0, 1))),
        exclude_specialist_ids=frozenset({rng.randint(1, 300)}),
        exclude_institution_names=rng.choice(((), ("Mayo Clinic",), ("riverside practice",))),
        exclude_institution_ids=frozenset(rng.sample((1, 3), rng.randint(0, 1))),
        reason=rng.choice(REASONS), urgency=rng.choice(("routine", "soon", "emergent")),
        limit=rng.choice((1, 5, 10, 40)), now=NOW)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_embedded_matches_the_reference_ranking_exactly(seed):
    docs = random_directory(seed)
    backend = EmbeddedBackend.from_documents(docs)
    rng = random.Random(seed * 101)
    for _ in range(150):
        case = _random_case(rng)
        qualifying = list(retrieve(case, docs))
        expected = [(c.specialist_id, c.practice_location_id, c.score, c.reasons) for c in rank(case, qualifying)]
        result = backend.match(case)
        assert [(c.specialist_id, c.practice_location_id, c.score, c.reasons) for c in result.candidates] == expected
        assert result.total == len({d["specialist_id"] for d in qualifying})


def test_pruned_telehealth_walk_loses_nobody(monkeypatch):
    """Small limits and many telehealth specialists: the bound-and-walk path must still be exact."""
    from search.backends import telehealth

    monkeypatch.setattr(telehealth, "WALK_CHUNK", 16)  # many steps of the best-quality-first walk
    docs = random_directory(9, specialists=900)
    backend = EmbeddedBackend.from_documents(docs)
    rng = random.Random(909)
    for _ in range(60):
        # Specialty-only cases make far telehealth specialists compete, so the walk has work to do.
        conditions = tuple(rng.sample(CODES, 1)) if rng.random() < 0.3 else ()
        case = MatchCase(conditions=conditions, specialty=None if conditions else rng.choice(SPECIALTIES),
                         point=(rng.uniform(38, 42), rng.uniform(-80, -72)), max_distance_mi=rng.choice((10.0, 40.0)),
                         telehealth_ok=True, plan_id=7 if rng.random() < 0.5 else None,
                         network_ids=frozenset({1, 3}), limit=rng.choice((1, 2, 3, 20)), reason=rng.choice(REASONS),
                         now=NOW)
        qualifying = list(retrieve(case, docs))
        expected = [(c.specialist_id, c.score) for c in rank(case, qualifying)]
        result = backend.match(case)
        assert [(c.specialist_id, c.score) for c in result.candidates] == expected
        assert result.total == len({d["specialist_id"] for d in qualifying})


@pytest.mark.parametrize("seed", [21, 22])
def test_bounded_telehealth_expansion_keeps_the_full_expansions_answer(seed):
    """Property: bounding telehealth holders before expanding them gives the top-k and total that
    expanding every one of them gives, over many random cases; and it does skip rows."""
    from search import scoring
    from search.backends.embedded import _shortlist
    from search.backends.query import search_segment

    docs = random_directory(seed, specialists=900)
    (segment, live), = EmbeddedBackend.from_documents(docs)._snapshot.parts
    rng = random.Random(seed * 7)
    scored = {True: 0, False: 0}
    for _ in range(250):
        case = dataclasses.replace(_random_case(rng), telehealth_ok=True)
        weights = scoring.weights_for(case)
        answers = {}
        for bounded in (True, False):
            hits = search_segment(segment, live, case, weights, bounded=bounded)
            scored[bounded] += len(hits.rows)
            ranked = rank(case, _shortlist([hits], case.limit))
            answers[bounded] = ([(c.specialist_id, c.practice_location_id, c.score) for c in ranked], hits.total)
        assert answers[True] == answers[False], case
    assert scored[True] < 0.9 * scored[False]  # and it does leave rows unscored


def test_documents_read_back_from_the_columns_unchanged():
    docs = random_directory(4, specialists=60)
    segment = EmbeddedBackend.from_documents(docs)._snapshot.parts[0][0]
    by_id = {d["practice_location_id"]: d for d in docs}
    for row in range(segment.n_docs):
        doc = document(segment, row)
        original = by_id[doc["practice_location_id"]]
        assert {**doc, "specialty_families": []} == original


def test_database_build_equals_build_documents(session):
    network, _ = make_network(session)
    inst = make_institution(session, "Mayo Clinic")
    make_specialist(session, specialty="207RH0003X", extra_specialties=("207RX0202X",), networks=[network],
                    conditions=[("ORPHA", "520", 40), ("ICD-10-CM", "C92.00", 12)], institution=inst,
                    languages=("en", "es"), telehealth=True, self_pay_price_cents=40000, rating=4.5, review_count=9)
    make_specialist(session, specialty="207R00000X", accepts_second_opinions=False)
    session.commit()
    backend = EmbeddedBackend(session_factory=lambda: _same(session))
    backend.rebuild()
    segment = backend._snapshot.parts[0][0]
    from_columns = sorted((document(segment, r) for r in range(segment.n_docs)), key=lambda d: d["doc_id"])
    assert from_columns == sorted(build_documents(session), key=lambda d: d["doc_id"])
    assert [d["accepting"] for d in from_columns] == [True, False]


def test_a_database_build_holds_ids_and_counts_as_int32(session):
    network, _ = make_network(session)
    make_specialist(session, specialty="207RH0003X", networks=[network], conditions=[("ICD-10-CM", "C92.00", 12)])
    session.commit()
    backend = EmbeddedBackend(session_factory=lambda: _same(session))
    backend.rebuild()
    segment = backend._snapshot.parts[0][0]
    t = segment.t
    for column in (t.plid, t.net_id, t.net_ptr, t.cond_ptr, t.cond_cases, t.price, t.institution, segment.source_row):
        assert column.dtype == np.int32
    assert t.next_available is None  # the segment holds it, in its own row order
    assert segment.next_available.shape == (segment.n_docs,)


class _same:
    """The test's session as a context manager that leaves it open."""

    def __init__(self, session):
        self.session = session

    def __enter__(self):
        return self.session

    def __exit__(self, *exc):
        return False


def test_grid_covers_every_point_within_the_radius():
    rng = random.Random(5)
    for _ in range(300):
        lat, lon = rng.uniform(-70, 70), rng.uniform(-180, 180)
        radius = rng.choice((1.0, 30.0, 250.0, 2000.0))
        cells = {c for start, end in grid_ranges(lat, lon, radius) for c in range(start, end)}
        for _ in range(20):  # a point at a random bearing, inside the radius
            bearing, d = rng.uniform(0, 2 * math.pi), radius * rng.uniform(0, 0.999) / EARTH_RADIUS_MI
            p1, l1 = math.radians(lat), math.radians(lon)
            p2 = math.asin(math.sin(p1) * math.cos(d) + math.cos(p1) * math.sin(d) * math.cos(bearing))
            l2 = l1 + math.atan2(math.sin(bearing) * math.sin(d) * math.cos(p1),
                                 math.cos(d) - math.sin(p1) * math.sin(p2))
            plat, plon = math.degrees(p2), (math.degrees(l2) + 540) % 360 - 180
            assert distance_mi(lat, lon, plat, plon) <= radius
            cell = int((plat + 90) // CELL_DEG) * N_LON + int((plon + 180) // CELL_DEG)
            assert cell in cells, (lat, lon, radius, plat, plon)


def test_an_empty_index_answers_nothing():
    result = EmbeddedBackend.from_documents([]).match(MatchCase(specialty="207RX0202X", point=(40.0, -74.0)))
    assert result.candidates == [] and result.total == 0
