"""The native scan (search/backends/native) answers what numpy's passes and the reference ranking answer."""

import math
import random
from datetime import timedelta

import numpy as np
import pytest

from reference.earth import EARTH_RADIUS_MI, distance_mi
from search import scoring
from search.backends import grid
from search.backends.embedded import EmbeddedBackend, _shortlist
from search.backends.native import scan
from search.backends.query import search_segment
from search.backends.segment import CELL_DEG, N_LAT, N_LON
from search.case import MatchCase
from search.ranking import rank
from search.retrieval import retrieve
from tests.search.docs import NOW, SPECIALTIES, make_doc, random_directory
from tests.search.test_embedded import _random_case


def _answer(segment, live, case, **how):
    hits = search_segment(segment, live, case, scoring.weights_for(case), **how)
    ranked = rank(case, _shortlist([hits], case.limit))
    return [(c.specialist_id, c.practice_location_id, c.score, c.reasons) for c in ranked], hits.total, len(hits.rows)


@pytest.mark.parametrize("seed", [31, 32, 33])
def test_the_native_scan_answers_what_numpys_passes_answer(seed, monkeypatch):
    """Property, over random cases with a point: the same top-k and total as numpy's passes, with the
    nearest-first bound taken on small pools too (NEAREST_FIRST lowered), and it leaves rows unscored."""
    monkeypatch.setattr(scan, "NEAREST_FIRST", 8)
    docs = random_directory(seed, specialists=900)
    ((segment, live),) = EmbeddedBackend.from_documents(docs)._snapshot.parts
    rng = random.Random(seed * 13)
    scored = {True: 0, False: 0}
    for _ in range(200):
        case = _random_case(rng)
        if case.point is None:
            continue
        native, total, rows = _answer(segment, live, case)
        numpy_answer, numpy_total, numpy_rows = _answer(segment, live, case, native_scan=False)
        assert (native, total) == (numpy_answer, numpy_total), case
        scored[True] += rows
        scored[False] += numpy_rows
    assert scored[True] < scored[False]


def test_rows_at_the_radius_itself_are_settled_by_the_haversine(monkeypatch):
    """A radius equal to the distance to a location puts that row within 1e-9 of the bound on the dot
    product: the exact haversine decides it, as the reference does, even when the edge rows outgrow
    the room first given for them."""
    monkeypatch.setattr(scan, "EDGE_ROOM", 0)
    seen = []
    with_edges = scan._with_edge_rows
    monkeypatch.setattr(scan, "_with_edge_rows", lambda *a: seen.append(len(a[2])) or with_edges(*a))
    docs = random_directory(41, specialists=400)
    backend = EmbeddedBackend.from_documents(docs)
    rng = random.Random(41)
    for _ in range(40):
        a, b = rng.sample(docs, 2)
        point = (a["location"]["lat"], a["location"]["lon"])
        radius = distance_mi(*point, b["location"]["lat"], b["location"]["lon"])
        if radius < 1.0:
            continue
        case = MatchCase(specialty=b["primary_specialty"], point=point, max_distance_mi=radius, limit=40, now=NOW)
        qualifying = list(retrieve(case, docs))
        expected = [(c.specialist_id, c.practice_location_id, c.score) for c in rank(case, qualifying)]
        result = backend.match(case)
        assert [(c.specialist_id, c.practice_location_id, c.score) for c in result.candidates] == expected
        assert result.total == len({d["specialist_id"] for d in qualifying})
    assert seen and all(n >= 1 for n in seen)


def test_cell_runs_cover_the_circle_and_inside_cells_lie_wholly_within():
    rng = random.Random(7)
    for _ in range(300):
        lat, lon = rng.uniform(-80, 80), rng.uniform(-180, 180)
        radius = rng.choice((1.0, 30.0, 120.0, 250.0, 2000.0))
        runs = grid.cell_runs(lat, lon, radius)
        inside = {c: bool(flag) for start, end, flag in runs.tolist() for c in range(start, end)}
        assert len(inside) == int((runs[:, 1] - runs[:, 0]).sum())  # no cell twice
        assert set(inside) <= {c for start, end in grid.grid_ranges(lat, lon, radius) for c in range(start, end)}
        for _ in range(40):  # points at random bearings, up to the radius itself
            bearing = rng.uniform(0, 2 * math.pi)
            d = radius * (0.9999999 if rng.random() < 0.3 else math.sqrt(rng.random())) / EARTH_RADIUS_MI
            p1, l1 = math.radians(lat), math.radians(lon)
            p2 = math.asin(math.sin(p1) * math.cos(d) + math.cos(p1) * math.sin(d) * math.cos(bearing))
            l2 = l1 + math.atan2(
                math.sin(bearing) * math.sin(d) * math.cos(p1), math.cos(d) - math.sin(p1) * math.sin(p2)
            )
            plat, plon = math.degrees(p2), (math.degrees(l2) + 540) % 360 - 180
            cell = min(int((plat + 90) // CELL_DEG), N_LAT - 1) * N_LON + min(int((plon + 180) // CELL_DEG), N_LON - 1)
            assert cell in inside, (lat, lon, radius, plat, plon)
        for cell in (c for c, flag in inside.items() if flag):
            band, col = divmod(cell, N_LON)
            for fy in (0.0, 0.5, 1.0):
                for fx in (0.0, 0.5, 1.0):
                    corner = (band + fy) * CELL_DEG - 90, (col + fx) * CELL_DEG - 180
                    assert distance_mi(lat, lon, *corner) <= radius, (lat, lon, radius, cell)


def test_a_dense_city_leaves_most_rows_unscored_with_the_same_answer(monkeypatch):
    """Many specialists of one specialty near the point: the nearest are scored first and bound the
    rest by distance, and the answer is the reference's."""
    monkeypatch.setattr(scan, "NEAREST_FIRST", 200)
    rng = random.Random(5)
    docs = []
    for sid in range(1, 3001):
        lat, lon = 40.75 + rng.gauss(0, 0.4), -73.99 + rng.gauss(0, 0.5)
        docs.append(_doc(sid, lat, lon, rng))
    backend = EmbeddedBackend.from_documents(docs)
    ((segment, live),) = backend._snapshot.parts
    case = MatchCase(specialty=SPECIALTIES[0], point=(40.75, -73.99), max_distance_mi=200.0, limit=10, now=NOW)
    native, total, rows = _answer(segment, live, case)
    numpy_answer, numpy_total, numpy_rows = _answer(segment, live, case, native_scan=False)
    assert (native, total) == (numpy_answer, numpy_total)
    qualifying = list(retrieve(case, docs))
    assert [c[:3] for c in native] == [
        (c.specialist_id, c.practice_location_id, c.score) for c in rank(case, qualifying)
    ]
    assert total == len({d["specialist_id"] for d in qualifying}) > scan.NEAREST_FIRST
    assert rows < numpy_rows / 4


def _doc(sid: int, lat: float, lon: float, rng: random.Random) -> dict:
    slot = None if rng.random() < 0.3 else NOW + timedelta(days=rng.randint(0, 30), hours=rng.randint(0, 23))
    return make_doc(
        specialist_id=sid,
        practice_location_id=100_000 + sid,
        specialties=(SPECIALTIES[0],),
        lat=lat,
        lon=lon,
        rating=rng.choice((None, 3.5, 4.2, 4.9)),
        reviews=rng.randint(1, 300),
        next_available=slot,
    )


def test_flags_by_profile_is_numpys_gather():
    rng = np.random.default_rng(3)
    by_profile = rng.integers(0, 4, 50).astype(np.uint8)
    profile = rng.integers(0, 50, 10_000).astype(np.int32)
    population = rng.integers(0, 3, 10_000).astype(np.int8)
    allowed = np.array([1, 0, 1], dtype=np.uint8)
    assert (scan.flags_by_profile(by_profile, profile, None, population) == by_profile[profile]).all()
    assert (
        scan.flags_by_profile(by_profile, profile, allowed, population) == by_profile[profile] & allowed[population]
    ).all()


def test_count_covered_counts_what_expanding_counts():
    """Telehealth specialists without a self-pay price qualify only in network: counting those with a
    live in-network location gives the total that expanding them to every location and scoring gives."""
    from search.backends.query import SegmentSearch, compile_query

    docs = random_directory(51, specialists=600)
    ((segment, live),) = EmbeddedBackend.from_documents(docs)._snapshot.parts
    rng = random.Random(51)
    for _ in range(30):
        networks = frozenset(rng.sample((1, 2, 3, 4), rng.randint(1, 2)))
        case = MatchCase(specialty=rng.choice(SPECIALTIES), point=(40.0, -75.0), plan_id=7, network_ids=networks,
                         telehealth_ok=True, now=NOW)
        q = compile_query(segment, case)
        search = SegmentSearch(segment, live, case, q, scoring.weights_for(case), segment.scratch())
        unpriced = np.flatnonzero(~segment.self_pay)
        specialists = np.sort(np.array(rng.sample(unpriced.tolist(), 100), dtype=np.int64))
        expected = search.expanded(specialists, count=True).total
        assert scan.count_covered(search, specialists) == expected
        assert 0 < expected < len(specialists)


def test_qualifying_specialists_is_numpys_mask():
    """The telehealth pool: flags, a live location, self-pay, languages and exclusions, as numpy masks them."""
    from search.backends.query import SegmentSearch, compile_query

    docs = random_directory(52, specialists=600)
    ((segment, live),) = EmbeddedBackend.from_documents(docs)._snapshot.parts
    rng = random.Random(52)
    for _ in range(40):
        case = _random_case(rng)
        q = compile_query(segment, case)
        search = SegmentSearch(segment, live, case, q, scoring.weights_for(case), segment.scratch())
        search.scratch.excluded[q.excluded] = True
        try:
            remote = q.remote_rows
            self_pay_only = case.self_pay and not case.has_plan
            ok = (search.flags[remote] != 0) & live.specialists[remote] & search.specialist_ok(remote)
            if self_pay_only:
                ok &= segment.self_pay[remote]
            got, flags = scan.qualifying_specialists(search, remote, self_pay_only)
        finally:
            search.scratch.excluded[q.excluded] = False
        assert got.tolist() == remote[ok].tolist()
        assert flags.tolist() == search.flags[remote[ok]].tolist()
