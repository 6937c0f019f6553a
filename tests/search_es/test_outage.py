"""Nothing is lost while the cluster is down: 1,000 directory writes through the outbox across a node restart.

The follow worker delivers the outbox the whole time, as `secondlook reindex --follow` does in
production. The real node is stopped (SIGTERM) a third of the way through the writes and started
again at two thirds; afterwards the index must hold exactly the documents the database describes.
"""
from __future__ import annotations

import threading
import time

from sqlalchemy import func, select

from api.db import db
from api.models import OutboxEvent, Specialist
from api.unit_of_work import UnitOfWork
from search.documents import build_documents
from search.sync import follow
from tests.factories import make_specialist
from tests.search_es.conftest import cluster_backend
from tests.search_es.test_sync import indexed

WRITES = 1000
SPECIALISTS = 100


def write(factory, sid: int | None, number: int) -> int:
    """One directory write, committed with its outbox row: a new specialist, or a change to one.

    Each write is a transaction of its own that takes the write lock up front, as a request's does
    (a deferred one could not upgrade its read to a write while the worker commits).
    """
    with factory() as session:
        uow = UnitOfWork(session)
        person = make_specialist(session) if sid is None else session.get(Specialist, sid)
        person.telehealth = number % 2 == 0
        person.accepting_new_patients = number % 3 != 0
        session.flush()
        uow.index_specialist(person.id)
        uow.commit()
        return person.id


def test_a_thousand_writes_across_a_node_restart_all_reach_the_index(app, opensearch, admin, alias):
    factory = app.extensions["db"][1]
    with app.app_context():
        backend = cluster_backend("opensearch", opensearch.url(), alias, session_factory=db.new_session)
    stop = threading.Event()
    worker = threading.Thread(target=follow, args=(backend, factory, 0.05, stop, lambda _line: None))
    worker.start()
    ids: list[int] = []
    try:
        for number in range(WRITES):
            if number == WRITES // 3:
                opensearch.stop()
            if number == 2 * WRITES // 3:
                opensearch.start()
            ids.append(write(factory, None if number < SPECIALISTS else ids[number % SPECIALISTS], number))
        deadline = time.monotonic() + 60
        while _pending(factory) and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        stop.set()
        worker.join(30)
    assert _pending(factory) == 0
    with factory() as fresh:
        retried = fresh.scalar(select(func.count()).select_from(OutboxEvent).where(OutboxEvent.attempts > 0))
        assert retried >= 50, "hardly any write met the outage: the test would prove little"
        expected = {doc["doc_id"]: doc for doc in build_documents(fresh, sorted(set(ids)))}
        assert fresh.scalar(select(func.count()).select_from(OutboxEvent)) == WRITES
    assert indexed(admin, alias) == expected


def _pending(factory) -> int:
    with factory() as session:
        return session.scalar(select(func.count()).select_from(OutboxEvent).where(OutboxEvent.processed_at.is_(None)))
