"""Keeping the Elasticsearch index true: outbox delivery, outages, deletions and the alias swap."""
from __future__ import annotations

import socket
import threading
import time

import pytest
from sqlalchemy import select

import search
from api.config import TestConfig
from api.db import db
from api.models import OutboxEvent, PracticeLocation, Specialist
from api.unit_of_work import UnitOfWork
from search.backends import elasticsearch as elasticsearch_backend
from search.backends.elasticsearch import ElasticsearchBackend
from search.es import indexer
from search.sync import follow
from tests.factories import make_specialist
from tests.search_es.fake_es import ALIAS, es_client
from tests.search_es.flaky import flaky_node


@pytest.fixture
def backend(app, fake_es):
    """An Elasticsearch backend on the test database, writing to the fake node."""
    with app.app_context():
        yield ElasticsearchBackend(es_client(fake_es.url), ALIAS, session_factory=db.new_session)


def changed_specialists(session, count: int = 3, **kw) -> list[int]:
    """Commit `count` specialists with an outbox row each, as a directory write does."""
    uow = UnitOfWork(session)
    people = [make_specialist(session, **kw) for _ in range(count)]
    session.flush()
    for person in people:
        uow.index_specialist(person.id)
    uow.commit()
    return [person.id for person in people]


def outbox(session) -> list[OutboxEvent]:
    """Every outbox row, fresh from the database (read in a transaction of its own, ended at once:
    on SQLite every transaction holds the write lock)."""
    session.commit()
    session.expire_all()
    rows = list(session.scalars(select(OutboxEvent).order_by(OutboxEvent.id)))
    session.commit()
    return rows


def indexed_specialists(fake_es) -> set[int]:
    """Specialists with a document behind the alias (written, refreshed or not)."""
    return {doc["specialist_id"] for doc in fake_es.documents(ALIAS).values()}


def test_pending_rows_are_written_and_marked_processed(backend, session, fake_es):
    ids = changed_specialists(session)
    report = backend.apply_outbox()
    assert (report.applied, report.failed, report.specialists) == (3, 0, 3)
    assert indexed_specialists(fake_es) == set(ids)
    assert all(row.processed_at is not None and row.last_error is None for row in outbox(session))
    assert backend.apply_outbox().applied == 0


def test_rows_stay_pending_while_elasticsearch_is_down_and_catch_up_after(app, session, fake_es):
    node_class = flaky_node(failures=2)
    with app.app_context():
        backend = ElasticsearchBackend(es_client(fake_es.url, node_class=node_class), ALIAS,
                                       session_factory=db.new_session)
        ids = changed_specialists(session)
        for attempt in (1, 2):  # two runs while the cluster is unreachable
            report = backend.apply_outbox()
            assert (report.applied, report.failed) == (0, 3)
            rows = outbox(session)
            assert [r.attempts for r in rows] == [attempt] * 3
            assert all(r.processed_at is None and "ConnectionError" in r.last_error for r in rows)
        assert fake_es.documents(ALIAS) == {}
        report = backend.apply_outbox()  # the cluster is back
    assert (report.applied, report.failed) == (3, 0)
    assert node_class.failed == 2
    assert indexed_specialists(fake_es) == set(ids)
    assert all(r.processed_at is not None and r.last_error is None for r in outbox(session))


def test_a_deleted_practice_location_leaves_the_index(backend, session, fake_es):
    [sid] = changed_specialists(session, count=1)
    backend.apply_outbox()  # written, not refreshed: the delivery below must still find it
    [doc_id] = fake_es.documents(ALIAS)
    session.delete(session.get(PracticeLocation, int(doc_id)))
    uow = UnitOfWork(session)
    uow.index_specialist(sid)
    uow.commit()
    assert backend.apply_outbox().applied == 1
    assert fake_es.documents(ALIAS) == {}


def test_a_document_elasticsearch_refuses_keeps_only_its_specialist_pending(backend, session, fake_es, monkeypatch):
    ids = changed_specialists(session)
    from search.es import outbox as es_outbox

    real = es_outbox.build_documents
    broken = lambda s, wanted: ({**d, "unmapped": 1} if d["specialist_id"] == ids[0] else d for d in real(s, wanted))
    monkeypatch.setattr(es_outbox, "build_documents", broken)
    report = backend.apply_outbox()
    assert (report.applied, report.failed) == (2, 1)
    pending = [r for r in outbox(session) if r.processed_at is None]
    assert [r.entity_id for r in pending] == [ids[0]]
    assert "strict_dynamic_mapping_exception" in pending[0].last_error
    assert indexed_specialists(fake_es) == set(ids[1:])


def test_an_older_state_arriving_late_is_superseded(fake_es):
    client = es_client(fake_es.url)
    indexer.ensure_alias(client, ALIAS)
    doc = {"doc_id": "7", "specialist_id": 1, "practice_location_id": 7, "city": "Newer"}
    assert indexer.write(client, indexer.index_actions([doc], ALIAS, lambda _d: 10), require_alias=True).written == 1
    late = indexer.write(client, indexer.index_actions([{**doc, "city": "Older"}], ALIAS, lambda _d: 5),
                         require_alias=True)
    assert (late.written, late.superseded, late.errors) == (0, 1, [])
    assert fake_es.documents(ALIAS)["7"]["city"] == "Newer"


def test_reindex_loads_a_new_index_then_swaps_the_alias_in_one_call(backend, session, fake_es):
    changed_specialists(session, count=2)
    assert backend.rebuild() == 2
    [first] = fake_es.resolve(ALIAS)
    fake_es.requests.clear()
    assert backend.rebuild() == 2
    [second] = fake_es.resolve(ALIAS)
    assert second != first and first not in fake_es.indices
    steps = [(r.method, r.path) for r in fake_es.requests]
    swap = next(r for r in fake_es.requests if r.path == "/_aliases")
    assert swap.body["actions"] == [{"remove": {"index": first, "alias": ALIAS}},
                                    {"add": {"index": second, "alias": ALIAS}}]
    # Built and refreshed before the alias moves; the old index is dropped only after.
    order = [("PUT", f"/{second}"), ("PUT", f"/{second}/_settings"), ("POST", f"/{second}/_refresh"),
             ("POST", "/_aliases"), ("DELETE", f"/{first}")]
    assert [steps.index(step) for step in order] == sorted(steps.index(step) for step in order)
    assert any(path.endswith("/_bulk") and steps.index((m, path)) < steps.index(("POST", "/_aliases"))
               for m, path in steps)


def test_a_change_committed_while_a_rebuild_loads_reaches_the_new_index(backend, session, fake_es, monkeypatch):
    first, _other = changed_specialists(session, count=2)
    backend.rebuild()
    real = indexer.rebuild

    def rebuild_with_a_change_meanwhile(client, alias, docs, version, progress=None):
        def load():
            yield from docs  # the new index now holds every specialist as it was...
            person = session.get(Specialist, first)  # ...then one changes, and is delivered to the old index
            person.telehealth = not person.telehealth
            uow = UnitOfWork(session)
            uow.index_specialist(first)
            uow.commit()
            backend.apply_outbox()
        return real(client, alias, load(), version, progress)

    monkeypatch.setattr(indexer, "rebuild", rebuild_with_a_change_meanwhile)
    backend.rebuild()
    session.expire_all()
    expected = session.get(Specialist, first).telehealth
    session.commit()
    indexed = [doc["telehealth"] for doc in fake_es.documents(ALIAS).values() if doc["specialist_id"] == first]
    assert indexed == [expected]


def test_a_failed_rebuild_leaves_the_alias_where_it_was(backend, session, fake_es, monkeypatch):
    changed_specialists(session, count=2)
    backend.rebuild()
    [before] = fake_es.resolve(ALIAS)
    real = elasticsearch_backend.build_documents  # patched where the rebuild looks it up
    monkeypatch.setattr(elasticsearch_backend, "build_documents",
                        lambda s, ids=None: ({**d, "x": 1} for d in real(s, ids)))
    with pytest.raises(indexer.RebuildFailed):
        backend.rebuild()
    assert fake_es.resolve(ALIAS) == [before] and list(fake_es.indices) == [before]


def test_the_follow_worker_delivers_rows_until_stopped(app, backend, session, fake_es):
    stop, factory = threading.Event(), app.extensions["db"][1]  # the worker thread has no app context
    worker = threading.Thread(target=follow, args=(backend, factory, 0.02, stop, lambda _l: None))
    worker.start()
    try:
        ids = changed_specialists(session)
        deadline = time.monotonic() + 5
        while indexed_specialists(fake_es) != set(ids) and time.monotonic() < deadline:
            time.sleep(0.02)
    finally:
        stop.set()
        worker.join(5)
    assert indexed_specialists(fake_es) == set(ids)


def test_the_app_configured_for_elasticsearch_delivers_after_each_directory_commit(app, session, fake_es):
    app.config.update(SEARCH_BACKEND="elasticsearch", ELASTICSEARCH_URL=fake_es.url, ELASTICSEARCH_INDEX=ALIAS)
    with app.app_context():
        assert isinstance(search.backend(), ElasticsearchBackend)
        ids = changed_specialists(session, count=1)
        search.on_directory_commit()
    assert indexed_specialists(fake_es) == set(ids)


def test_every_request_is_bounded_by_the_configured_timeout():
    silent = socket.socket()  # accepts connections (backlog) and never answers
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)
    try:
        url = f"http://127.0.0.1:{silent.getsockname()[1]}"
        config = TestConfig(ELASTICSEARCH_URL=url, ELASTICSEARCH_TIMEOUT_S=0.2)
        backend = ElasticsearchBackend.from_config(config.as_flask())
        started = time.monotonic()
        assert backend.ping() is False
        assert time.monotonic() - started < 3.0  # three tries of 0.2 s, not a hang
    finally:
        silent.close()
