"""Old outbox rows are deleted; rows Elasticsearch has not received yet never are."""
from datetime import timedelta

from sqlalchemy import select

from api.db import utcnow
from api.models import OutboxEvent
from search.sync import prune


def _rows(session, *specs):
    now = utcnow()
    for entity_id, age_h, delivered in specs:
        session.add(OutboxEvent(topic="specialist", entity_id=entity_id, created_at=now - timedelta(hours=age_h),
                                processed_at=now if delivered else None))
    session.commit()


def _left(session):
    return sorted(session.scalars(select(OutboxEvent.entity_id)))


def test_embedded_pruning_deletes_every_old_row(session):
    _rows(session, (1, 48, False), (2, 30, True), (3, 1, False))
    assert prune(session, utcnow() - timedelta(hours=24), keep_pending=False) == 2
    session.commit()
    assert _left(session) == [3]


def test_elasticsearch_pruning_keeps_undelivered_rows_however_old(session):
    _rows(session, (1, 48, False), (2, 30, True), (3, 1, True))
    assert prune(session, utcnow() - timedelta(hours=24), keep_pending=True) == 1
    session.commit()
    assert _left(session) == [1, 3]


def test_prune_command_reports_what_it_deleted(app, session):
    _rows(session, (1, 48, False), (2, 1, False))
    result = app.test_cli_runner().invoke(args=["prune-outbox", "--older-than-hours", "24"])
    assert result.exit_code == 0, result.output
    assert "deleted 1 outbox rows" in result.stderr
    session.expire_all()
    assert _left(session) == [2]
