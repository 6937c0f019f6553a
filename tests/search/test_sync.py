"""Keeping the embedded index true: outbox rows written with each change, applied after commit only."""
import threading

import pytest
from sqlalchemy import func, select

import search
from api.db import db
from api.directory import services
from api.models import OutboxEvent
from api.unit_of_work import UnitOfWork
from search.backends.base import SyncReport
from search.backends.embedded import EmbeddedBackend
from search.case import MatchCase
from search.sync import LOOKBACK_IDS, OutboxCursor, follow, mark_failed, mark_processed, pending_events, reindex
from tests.factories import make_specialist
from tests.search.docs import MANHATTAN, NOW


@pytest.fixture(autouse=True)
def app_context(app):
    """search.backend() and db.new_session() belong to the app, so every test runs inside its context."""
    with app.app_context():
        yield


APL_CASE = MatchCase(conditions=(("ORPHA", "520"),), point=MANHATTAN, now=NOW)


def _body(npi: str = "1234567893", **extra) -> dict:
    return {"npi": npi, "first_name": "Ada", "last_name": "Lovelace", "credentials": "MD", "languages": ["en"],
            "specialties": [{"code": "207RH0003X", "primary": True}], **extra,
            "conditions": [{"system": "ORPHA", "code": "520", "cases_per_year": 40, "publications": 0,
                            "center_of_expertise": False}]}


def _write(session, change) -> None:
    uow = UnitOfWork(session)
    uow.after_commit(search.on_directory_commit)
    change(uow)
    uow.commit()


def _found(backend=None) -> list[int]:
    return [c.specialist_id for c in (backend or search.backend()).match(APL_CASE).candidates]


def _add_location(uow, specialist_id):
    services.add_practice_location(uow, specialist_id, {"accepting_new_patients": True, "location": {
        "address_line": "1 Main St", "city": "New York", "state": "NY", "zip": "10001"}})


def test_writes_are_visible_to_the_next_match_and_rollbacks_change_nothing(session):
    make_specialist(session, specialty="207RH0003X")
    session.commit()
    first = _found()  # builds the index lazily
    created = {}
    _write(session, lambda uow: created.setdefault("s", services.create_specialist(uow, _body())))
    sid = created["s"].id
    _write(session, lambda uow: _add_location(uow, sid))
    assert sid in _found() and len(_found()) == len(first) + 1

    uow = UnitOfWork(session)
    uow.after_commit(search.on_directory_commit)
    services.update_specialist(uow, sid, {"accepts_second_opinions": False})
    session.rollback()  # never committed: no outbox row, no hook, the index keeps the old truth
    assert sid in _found()
    assert session.scalar(select(func.count()).select_from(OutboxEvent)) == 2

    _write(session, lambda uow: services.delete_specialist(uow, sid))
    assert sid not in _found()


def test_another_process_catches_up_through_the_outbox(session):
    make_specialist(session, specialty="207RH0003X")
    session.commit()
    other = EmbeddedBackend(session_factory=db.new_session, poll_interval_s=0)  # a second gunicorn worker
    assert len(_found(other)) == 1
    created = {}
    _write(session, lambda uow: created.setdefault("s", services.create_specialist(uow, _body())))
    _write(session, lambda uow: _add_location(uow, created["s"].id))
    assert created["s"].id in _found(other)  # polled the outbox before matching
    assert other.high_water == session.scalar(select(func.max(OutboxEvent.id)))


def test_reindex_rebuilds_from_scratch(session):
    for _ in range(3):
        make_specialist(session, specialty="207RH0003X")
    session.commit()
    messages = []
    assert reindex(search.backend(), db.new_session, messages.append) == 3
    assert any("3 documents" in m for m in messages)
    assert len(_found()) == 3


def test_a_late_commit_below_the_high_water_mark_is_still_applied(session):
    session.add_all([OutboxEvent(id=i, topic="specialist", entity_id=1) for i in (10, 12)])
    session.commit()
    cursor = OutboxCursor.at_end(session)
    assert cursor.high_water == 12 and not cursor.is_behind(session)
    session.add(OutboxEvent(id=11, topic="specialist", entity_id=2))  # took its id earlier, committed later
    session.commit()
    assert cursor.is_behind(session)
    assert cursor.unseen(session) == [(11, 2)]
    cursor.advance(cursor.unseen(session))
    assert not cursor.is_behind(session) and cursor.unseen(session) == []
    assert LOOKBACK_IDS >= 100


class _FlakyIndex:
    """An index that is down for its first two deliveries, the way Elasticsearch might be."""

    def __init__(self, session_factory, stop: threading.Event):
        self.session_factory, self.stop, self.calls, self.delivered = session_factory, stop, 0, []

    def apply_outbox(self, session_factory=None) -> SyncReport:
        with self.session_factory() as session:
            rows = pending_events(session)
            ids = [r.id for r in rows]
            self.calls += 1
            if self.calls <= 2:
                mark_failed(session, ids, "ConnectionError: index unreachable")
                session.commit()
                raise ConnectionError("index unreachable")
            self.delivered += [r.entity_id for r in rows]
            mark_processed(session, ids)
            session.commit()
            self.stop.set()
            return SyncReport(applied=len(ids), specialists=len(set(self.delivered)))


def test_follow_keeps_rows_pending_while_the_index_is_down_and_catches_up(session):
    session.add_all([OutboxEvent(topic="specialist", entity_id=i) for i in (1, 2, 3)])
    session.commit()
    stop = threading.Event()
    index = _FlakyIndex(db.new_session, stop)
    said = []
    assert follow(index, db.new_session, interval_s=0.01, stop=stop, progress=said.append) == 3
    assert index.delivered == [1, 2, 3] and index.calls == 3
    assert said[0].startswith("index unavailable (ConnectionError)")
    session.expire_all()
    rows = session.scalars(select(OutboxEvent).order_by(OutboxEvent.id)).all()
    assert all(r.processed_at is not None and r.attempts == 2 and r.last_error is None for r in rows)


def test_reindex_command_rebuilds_and_reports(app, session):
    make_specialist(session, specialty="207RH0003X")
    session.commit()
    result = app.test_cli_runner().invoke(args=["reindex"])
    assert result.exit_code == 0, result.output
    assert "embedded: reindexed 1 documents" in result.output


class _Interrupted:
    """A backend whose second poll is cut short by Ctrl-C."""

    calls = 0

    def apply_outbox(self, session_factory=None) -> SyncReport:
        self.calls += 1
        if self.calls == 2:
            raise KeyboardInterrupt
        return SyncReport(applied=4)


def test_follow_stops_cleanly_on_ctrl_c():
    said = []
    assert follow(_Interrupted(), None, interval_s=0.001, progress=said.append) == 4
    assert said[-1] == "interrupted"
