"""Issue 9's acceptance points on a seeded synthetic directory, through the embedded backend."""
from __future__ import annotations

import io
import random

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from api.db import make_engine
from api.directory.institution_book import load_institutions
from api.matching.patient import resolve_affiliation, state_at
from api.migrate import upgrade
from api.models import ConditionExpertise, Institution
from reference import nucc, zip_centroids
from search import scoring
from search.backends.embedded import EmbeddedBackend
from search.case import MatchCase
from search.documents import build_documents
from search.retrieval import retrieve
from seed_data.synthetic import seed_directory

SPECIALISTS = 5000  # make run's default: every metro anchor is in
MANHATTAN = zip_centroids.get("10001")
HOUSTON = zip_centroids.get("77030")


@pytest.fixture(scope="module")
def directory(tmp_path_factory):
    """(backend, every document, session factory) of the default 5,000-specialist synthetic directory."""
    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('acceptance') / 'directory.db'}")
    upgrade(engine)
    seed_directory(engine, SPECIALISTS, seed=42, batch_size=1000, out=io.StringIO())
    factory = sessionmaker(engine.execution_options(sqlite_deferred=True))  # reads never take the write lock
    backend = EmbeddedBackend(session_factory=factory)
    backend.rebuild(progress=lambda _msg: None)
    with factory() as session:
        docs = list(build_documents(session))
    yield backend, docs, factory
    engine.dispose()


def _case(point, **kw) -> MatchCase:
    kw.setdefault("patient_state", state_at((point.lat, point.lon)))
    return MatchCase(point=(point.lat, point.lon), **kw)


def test_adult_glioblastoma_goes_to_neurosurgery_neuro_oncology_and_neurology_never_ophthalmology(directory):
    backend, _, _ = directory
    found = backend.match(_case(MANHATTAN, conditions=(("ICD-10-CM", "C71.9"),), age_range=(55.0, 56.0),
                                reason="rare_condition", limit=20)).candidates
    assert found
    for candidate in found:
        families = {nucc.get(c).family for c in candidate.document["specialties"]}
        assert "ophthalmology" not in families and families != {"genetics"}
        assert families & {"neurosurgery", "neurology", "oncology", "pathology"}


def test_a_childs_leukaemia_goes_to_paediatric_haematology_oncology(directory):
    backend, _, _ = directory
    found = backend.match(_case(HOUSTON, conditions=(("ICD-10-CM", "C91.00"),), age_range=(8.0, 9.0),
                                max_distance_mi=250, limit=20)).candidates
    assert found and found[0].document["primary_specialty"] == "2080P0207X"
    assert all(c.document["population"] in ("pediatric", "all") for c in found)


def test_no_candidate_is_of_the_wrong_population(directory):
    backend, docs, _ = directory
    rng = random.Random(9)
    conditions = [("ICD-10-CM", c) for c in ("C91.00", "G40.909", "M32.9", "I21.9", "J45.909", "E10.9", "C71.9")]
    for _ in range(60):
        anchor = rng.choice(docs)
        ages = rng.choice(((0.0, 1.0), (8.0, 9.0), (15.0, 16.0), (40.0, 41.0), (80.0, 81.0)))
        case = MatchCase(conditions=(rng.choice(conditions),), age_range=ages, limit=30,
                         point=(anchor["location"]["lat"], anchor["location"]["lon"]), max_distance_mi=150)
        wrong = "adult" if ages[1] <= 18 else "pediatric"
        assert all(c.document["population"] != wrong for c in backend.match(case).candidates)


def test_for_a_rare_condition_the_top_candidate_holds_the_code_when_anyone_in_reach_does(directory):
    backend, docs, factory = directory
    with factory() as session:
        codes = sorted(set(session.execute(select(ConditionExpertise.system, ConditionExpertise.code)
                                           .where(ConditionExpertise.system == "ORPHA")).all()))
    checked = 0
    for system, code in random.Random(3).sample(codes, min(40, len(codes))):
        holder = next(d for d in docs if f"{system}:{code}" in d["condition_keys"])
        centre = holder["location"]
        case = MatchCase(conditions=((system, code),), reason="rare_condition", point=(centre["lat"], centre["lon"]),
                         max_distance_mi=100, plan_id=1, network_ids=frozenset({1, 2}))
        in_reach = any(scoring.is_expert(case, d) for d in retrieve(case, docs))
        found = backend.match(case).candidates
        if in_reach:
            checked += 1
            assert found and scoring.is_expert(case, found[0].document), (system, code)
    assert checked >= 10


def test_every_telehealth_candidate_is_licensed_in_the_patients_state(directory):
    backend, docs, _ = directory
    for point in (MANHATTAN, HOUSTON, zip_centroids.get("60602"), zip_centroids.get("94110")):
        case = _case(point, specialty="207RH0003X", telehealth_ok=True, max_distance_mi=25, limit=50)
        found = backend.match(case).candidates
        remote = [c for c in found if c.distance_mi > case.max_distance_mi]
        assert remote, "no telehealth candidate to check"
        assert all(case.patient_state in c.document["licensed_states"] for c in remote)
        assert all(f"telehealth available: licensed in {case.patient_state}" in c.reasons for c in remote)


def test_no_two_unrelated_institutions_are_called_affiliated(directory):
    backend, _, factory = directory
    with factory() as session:
        institutions = session.scalars(select(Institution).where(Institution.kind == "academic_medical_center")
                                       .order_by(Institution.id).limit(30)).all()
        flagged, book = 0, load_institutions(session)
        for first in institutions:
            affiliation = resolve_affiliation(book, {first.id}, [first.name])
            case = _case(zip_centroids.get("10001") if first.state == "NY" else _centre(session, first),
                         specialty="207R00000X", exclude_institution_ids=frozenset({first.id}),
                         exclude_institution_names=(first.name,),
                         exclude_health_system_ids=affiliation.health_system_ids,
                         affiliation_words=affiliation.words, max_distance_mi=60, limit=100)
            for candidate in backend.match(case).candidates:
                if candidate.components["independence"] == scoring.AFFILIATED:
                    flagged += 1
                    assert candidate.document["health_system_id"] == first.health_system_id
                if "same health system" in " ".join(candidate.reasons):
                    assert candidate.document["health_system_id"] == first.health_system_id
    assert flagged > 0  # the same system's community practices are found, and called affiliated


def _centre(session: Session, institution: Institution):
    zips = zip_centroids.zips_in_city(institution.city, institution.state)
    return zip_centroids.get(zips[0])
