"""The read path of a match: no write lock, no SQL statement once warm, and plan changes still seen at once."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import event, select, text

import search
from api.app import create_app
from api.config import TestConfig
from api.coverage.plan_cache import plan_cache
from api.db import db, reads_only
from api.models import HealthSystem, Institution, InsuranceVersion, PlanBenefit, PriorAuthRule
from api.unit_of_work import unit_of_work
from tests.factories import make_specialist
from tests.payments_support import make_plan, reading

HEMONC = "207RH0003X"
APL = {"system": "ORPHA", "code": "520"}


@pytest.fixture
def directory(session):
    """Two hematologists in a plan with coverage rules (a referral is required, a prior-auth rule exists)."""
    network, plan = make_plan(session, prior_auth=[(HEMONC, None)])
    for cases in (10, 20):
        make_specialist(
            session,
            specialty=HEMONC,
            conditions=[("ORPHA", "520", cases)],
            networks=[network],
            self_pay_price_cents=30000,
        )
    session.commit()
    return {"plan": plan.id}


def _match(client, plan_id: int) -> dict:
    response = client.post("/v1/matches", json={"conditions": [APL], "zip": "10001", "plan_id": plan_id})
    assert response.status_code == 200, response.get_json()
    return response.get_json()


class Statements:
    """Every statement the app's engine sends to the database (a before_cursor_execute listener)."""

    def __init__(self, engine) -> None:
        self.seen: list[str] = []
        self._engine = engine
        event.listen(engine, "before_cursor_execute", self._record)

    def _record(self, _conn, _cursor, statement, *_args) -> None:
        self.seen.append(statement)

    def close(self) -> None:
        event.remove(self._engine, "before_cursor_execute", self._record)


def test_a_match_with_a_plan_and_coverage_verdicts_issues_no_statement(app, client, directory):
    first = _match(client, directory["plan"])  # warm-up: builds the index and loads the plans
    assert {c["coverage"]["verdict"] for c in first["candidates"]} == {"needs_referral"}
    # Both caches look at the database at most once per interval (the index's outbox, the plans'
    # version); a long interval keeps that amortised look out of this count.
    with app.app_context():
        search.backend().poll_interval_s = plan_cache().poll_interval_s = 3600
    statements = Statements(app.extensions["db"][0])
    try:
        answers = [_match(client, directory["plan"]) for _ in range(5)]
    finally:
        statements.close()
    assert statements.seen == []
    assert all(answer == {**first, "took_ms": answer["took_ms"]} for answer in answers)


def test_a_plan_change_is_seen_by_the_next_match(client, session, directory):
    assert _match(client, directory["plan"])["candidates"][0]["coverage"]["verdict"] == "needs_referral"
    benefit = session.get(PlanBenefit, directory["plan"])
    benefit.referral_required = False  # the prior-authorization rule is what stands in the way now
    session.commit()
    assert _match(client, directory["plan"])["candidates"][0]["coverage"]["verdict"] == "needs_prior_authorization"
    session.execute(PriorAuthRule.__table__.delete())  # a Core statement counts as well as the ORM's
    session.commit()
    assert _match(client, directory["plan"])["candidates"][0]["coverage"]["verdict"] == "covered"


def test_another_process_sees_the_change_at_its_next_version_check(app, client, database_url, directory):
    other = create_app(TestConfig(DATABASE_URL=database_url))
    other_client = other.test_client()
    with other.app_context():
        plan_cache().poll_interval_s = 0.0  # check the version on every read
    try:
        assert _match(other_client, directory["plan"])["candidates"][0]["coverage"]["verdict"] == "needs_referral"
        with app.app_context(), unit_of_work() as uow:  # written by the first app, as a service would
            uow.session.get(PlanBenefit, directory["plan"]).referral_required = False
            uow.session.execute(PriorAuthRule.__table__.delete())
        answer = _match(other_client, directory["plan"])
        assert answer["candidates"][0]["coverage"]["verdict"] == "covered"
    finally:
        with other.app_context():
            other.extensions["db"][0].dispose()


def test_every_watched_write_bumps_the_version_in_its_transaction(app, session, directory):
    def version() -> int:
        with reading(session) as fresh:
            return fresh.scalar(select(InsuranceVersion.version))

    before = version()
    benefit = session.get(PlanBenefit, directory["plan"])
    benefit.copay_cents = 2500
    session.flush()
    assert version() == before  # not visible before the commit...
    session.rollback()
    assert version() == before  # ...and gone with a rollback
    session.get(PlanBenefit, directory["plan"]).copay_cents = 2500
    session.commit()
    assert version() > before


def test_two_read_requests_overlap(app, directory):
    both_reading = threading.Barrier(2, timeout=20)
    answers: dict[str, object] = {}

    @reads_only
    def read(name: str) -> None:
        # Each holds an open read transaction while waiting for the other to hold one too: with a
        # write lock taken by the first, the second could never begin and the barrier would break.
        db.session.execute(text("SELECT count(*) FROM plan")).scalar()
        both_reading.wait()
        answers[name] = db.session.get(PlanBenefit, directory["plan"]).referral_required

    def in_request(name: str) -> None:
        with app.test_request_context():
            read(name)

    readers = [threading.Thread(target=in_request, args=(n,)) for n in ("a", "b")]
    for reader in readers:
        reader.start()
    for reader in readers:
        reader.join()
    assert answers == {"a": True, "b": True}


def test_a_writer_still_serialises(app, directory):
    """A second writer waits until the first commits (SQLite: BEGIN IMMEDIATE; PostgreSQL: the row lock)."""
    first_holds, order = threading.Event(), []

    def writer(name: str, hold: bool) -> None:
        with app.test_request_context(), unit_of_work() as uow:
            uow.session.get(PlanBenefit, directory["plan"]).copay_cents = len(order)
            uow.session.flush()
            order.append(f"{name} locked")
            if hold:
                first_holds.set()
                threading.Event().wait(0.3)
                order.append(f"{name} commits")

    first = threading.Thread(target=writer, args=("first", True))
    first.start()
    first_holds.wait(20)
    second = threading.Thread(target=writer, args=("second", False))
    second.start()
    first.join()
    second.join()
    assert order == ["first locked", "first commits", "second locked"]


def test_a_read_only_view_cannot_open_a_unit_of_work(app):
    @reads_only
    def view():
        with unit_of_work():
            pass

    with app.test_request_context(), pytest.raises(RuntimeError, match="reads_only"):
        view()


def test_a_read_only_request_opens_no_write_transaction(app):
    @reads_only
    def view():
        connection = db.session.connection()
        if connection.dialect.name == "postgresql":
            return connection.exec_driver_sql("SHOW transaction_read_only").scalar()
        return connection.get_execution_options()["sqlite_deferred"]  # BEGIN, not BEGIN IMMEDIATE

    with app.test_request_context():
        assert view() in ("on", True)


def test_leaving_the_first_opinions_institutions_out_issues_no_statement(app, client, session, directory):
    """Exclusions by id and by name are resolved from the cached institutions, kept current by the same version."""
    system = HealthSystem(name="Lakeside Health")
    session.add(system)
    session.flush()
    first = Institution(name="Lakeside Medical Center", kind="community_practice", health_system_id=system.id)
    session.add(first)
    session.commit()
    body = {"conditions": [APL], "zip": "10001", "plan_id": directory["plan"],
            "exclude_institutions": [first.id, "Zephyrine Clinic of Hudson"]}
    warm = client.post("/v1/matches", json=body)
    assert warm.status_code == 200, warm.get_json()
    with app.app_context():
        search.backend().poll_interval_s = plan_cache().poll_interval_s = 3600
    statements = Statements(app.extensions["db"][0])
    try:
        answers = [client.post("/v1/matches", json=body).get_json() for _ in range(3)]
    finally:
        statements.close()
    assert statements.seen == []
    assert all(a == {**warm.get_json(), "took_ms": a["took_ms"]} for a in answers)

    with app.app_context():
        book = plan_cache().current().institutions
        assert book.names_of([first.id]) == ["Lakeside Medical Center"]
        assert book.health_systems([first.id], []) == {system.id}
        assert book.names_containing("zephyrine", 3) == 0
        with unit_of_work() as uow:  # a new institution moves the version, so the next read reloads
            uow.session.add(Institution(name="Zephyrine Clinic", kind="community_practice"))
        book = plan_cache().current().institutions
        assert book.names_containing("zephyrine", 3) == 1
        assert book.health_systems([], ["lakeside medical center"]) == {system.id}
