"""The synthetic directory: deterministic, resumable, and shaped like a real one."""
from __future__ import annotations

import io
import re
from collections import Counter

import pytest
from sqlalchemy import func, select

from api.db import make_engine
from api.identifiers import is_valid_npi
from api.migrate import upgrade
from api.models import (
    Base, ConditionExpertise, Institution, NetworkParticipation, Payer, Plan, PlanType, PracticeLocation, Specialist,
    SpecialistSpecialty,
)
from reference import conditions, nucc
from seed_data.synthetic import seed_directory
from seed_data.synthetic_insurance import network_specs
from seed_data.synthetic_specialties import specialty_model
from tests.factories import make_specialist

N, BATCH = 300, 100
TIMESTAMPS = {"created_at", "updated_at"}
LEUKEMIA = re.compile(r"leuka?emia", re.I)


class Interrupted(Exception):
    """Stands in for a Ctrl-C half-way through."""


def _fresh_engine(tmp_path, name: str):
    engine = make_engine(f"sqlite:///{tmp_path / name}")
    upgrade(engine)
    return engine


def _snapshot(engine) -> dict[str, list[tuple]]:
    """Every row of every table, ordered by key, without the wall-clock timestamps."""
    with engine.connect() as conn:
        return {table.name: conn.execute(
            select(*[c for c in table.c if c.name not in TIMESTAMPS]).order_by(*table.primary_key.columns)).all()
            for table in Base.metadata.sorted_tables}


def _seed(engine, count=N, **kw):
    return seed_directory(engine, count, batch_size=BATCH, out=io.StringIO(), **kw)


def test_same_seed_gives_the_same_directory_and_another_seed_another(tmp_path):
    first, second, other = (_fresh_engine(tmp_path, f"{name}.db") for name in ("a", "b", "c"))
    _seed(first)
    seed_directory(second, N, batch_size=70, out=io.StringIO())  # batch size does not matter
    _seed(other, seed=7)
    assert _snapshot(first) == _snapshot(second)
    assert _snapshot(first)["specialist"] != _snapshot(other)["specialist"]
    assert _snapshot(first)["payer"] == _snapshot(other)["payer"]  # reference data ignores the seed


def test_an_interrupted_run_resumes_to_exactly_the_uninterrupted_directory(tmp_path):
    whole, resumed = _fresh_engine(tmp_path, "whole.db"), _fresh_engine(tmp_path, "resumed.db")
    _seed(whole)

    def stop_after_second_batch(number: int) -> None:
        if number == 1:
            raise Interrupted()

    with pytest.raises(Interrupted):
        _seed(resumed, after_batch=stop_after_second_batch)
    with resumed.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(Specialist)) == 2 * BATCH
    summary = _seed(resumed)
    assert (summary.already_present, summary.specialists, summary.resumed) == (2 * BATCH, N - 2 * BATCH, True)
    assert _snapshot(resumed) == _snapshot(whole)


def test_growing_adds_only_the_rest_and_shrinking_changes_nothing(app, session):
    engine = session.get_bind()
    _seed(engine, 200)
    out = io.StringIO()
    grown = seed_directory(engine, N, batch_size=BATCH, out=out)
    assert (grown.already_present, grown.specialists) == (200, N - 200)
    assert "300/300 specialists" in out.getvalue() and "ETA" in out.getvalue()
    before = session.scalar(select(func.count()).select_from(NetworkParticipation))
    session.rollback()  # release the session's transaction (on SQLite it holds the write lock)
    shrunk = _seed(engine, 100)
    session.rollback()  # a fresh snapshot, so the counts below see what the runs committed
    assert (shrunk.specialists, shrunk.participations) == (0, 0)
    assert session.scalar(select(func.count()).select_from(NetworkParticipation)) == before
    assert session.scalar(select(func.count()).select_from(Specialist)) == N
    assert "added 0 specialists" in shrunk.describe()
    # Rows written with explicit ids leave the id sequences (PostgreSQL) ready for the API's inserts.
    added = make_specialist(session)
    session.commit()
    assert added.id == N + 1


def test_every_specialist_is_well_formed(app, session):
    _seed(session.get_bind(), 600)
    specialists = session.scalars(select(Specialist)).all()
    npis = [s.npi for s in specialists]
    assert len(npis) == len(set(npis)) == 600 and all(is_valid_npi(n) for n in npis)
    for s in specialists:
        assert sum(row.is_primary for row in s.specialties) == 1 and 1 <= len(s.specialties) <= 15
        assert all(nucc.is_known(row.taxonomy_code) for row in s.specialties)
        assert "en" in s.languages and s.data_source == "synthetic"
        assert any(c.system == "ICD-10-CM" for c in s.conditions)
        assert 250_00 <= s.self_pay_price_cents <= 1500_00 and s.self_pay_price_cents % 100 == 0
        assert (s.rating is None) == (s.review_count == 0) and 0 <= s.review_count <= 800
        assert s.rating is None or 3.0 <= s.rating <= 5.0
        for practice in s.practice_locations:
            assert re.fullmatch(r"\d{3}-555-01\d\d", practice.location.phone)
    spanish = sum("es" in s.languages for s in specialists) / len(specialists)
    telehealth = sum(s.telehealth for s in specialists) / len(specialists)
    multi = sum(len(s.practice_locations) > 1 for s in specialists) / len(specialists)
    assert 0.10 <= spanish <= 0.30 and 0.3 <= telehealth <= 0.5 and 0.15 <= multi <= 0.35


def test_every_practice_location_is_in_some_networks_but_never_all(app, session):
    _seed(session.get_bind())
    per_practice = Counter(session.scalars(select(NetworkParticipation.practice_location_id)))
    practices = session.scalars(select(PracticeLocation.id)).all()
    assert set(per_practice) == set(practices)
    assert all(2 <= n <= 6 < len(network_specs()) for n in per_practice.values())


def test_rare_disease_expertise_follows_the_specialty_and_sits_in_academic_centres(app, session):
    _seed(session.get_bind(), 1000)
    rows = session.execute(
        select(ConditionExpertise.code, SpecialistSpecialty.taxonomy_code, Institution.kind,
               ConditionExpertise.center_of_expertise)
        .join(SpecialistSpecialty, (SpecialistSpecialty.specialist_id == ConditionExpertise.specialist_id)
              & SpecialistSpecialty.is_primary)
        .join(Specialist, Specialist.id == ConditionExpertise.specialist_id)
        .outerjoin(Institution, Institution.id == Specialist.institution_id)
        .where(ConditionExpertise.system == "ORPHA")).all()
    assert rows
    for code, primary, _kind, _centre in rows:
        assert primary in conditions.specialties_for("ORPHA", code)
    academic = sum(kind == "academic_medical_center" for _, _, kind, _ in rows)
    assert academic / len(rows) > 0.6
    assert any(centre for *_, centre in rows) and all(kind == "academic_medical_center" for *_, kind, c in rows if c)


def test_leukemia_expertise_only_goes_to_hematology_and_oncology():
    model = specialty_model()
    holders = {model.displays[i] for i, pool in enumerate(model.orpha)
               if any(LEUKEMIA.search(conditions.lookup("ORPHA", code).name) for code in pool)}
    assert "Hematology & Oncology" in holders
    assert all("hemat" in d.lower() or "oncolog" in d.lower() for d in holders), holders
    assert "Dermatology" not in holders


def test_payers_and_plans_are_synthetic_and_cover_every_plan_type(app, session):
    _seed(session.get_bind(), 10)
    assert all("Synthetic" in name for name in session.scalars(select(Payer.name)))
    plans = session.scalars(select(Plan)).all()
    assert all(p.is_synthetic and "Synthetic" in p.name for p in plans)
    assert {p.plan_type for p in plans} == set(PlanType)
    assert {p.state for p in plans if p.plan_type is PlanType.MEDICAID} >= {"TX", "CA", "NY"}
    assert all(p.networks for p in plans)
    names = session.scalars(select(Institution.name).where(Institution.kind == "academic_medical_center")).all()
    assert "Synthetic University Medical Center of Boston" in names
