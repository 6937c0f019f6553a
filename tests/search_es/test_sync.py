"""Keeping the cluster index true, on a real OpenSearch node through both clients: outbox delivery,
outages, deletions and the alias swap."""
from __future__ import annotations

import socket
import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import select

import search
from api.config import TestConfig
from api.db import db, utcnow
from api.models import OutboxEvent, PracticeLocation, Specialist
from api.unit_of_work import UnitOfWork
from search.backends import cluster
from search.backends.elasticsearch import ElasticsearchBackend
from search.backends.opensearch import OpenSearchBackend
from search.es import indexer
from search.es.mapping import index_body
from search.sync import follow
from tests.factories import make_specialist
from tests.search_es.conftest import cluster_backend

UNREACHABLE = "http://127.0.0.1:1"  # nothing listens on port 1: every request fails to connect at once


@pytest.fixture(params=["opensearch", "elasticsearch"])
def engine(request):
    """Each engine's client, both against the real OpenSearch node."""
    return request.param


@pytest.fixture
def sent():
    """Every request the backend under test sent, in order."""
    return []


@pytest.fixture
def backend(app, opensearch, engine, alias, sent):
    """A cluster backend on the test database, writing to the real node under this test's alias."""
    with app.app_context():
        yield cluster_backend(engine, opensearch.url(), alias, sent, session_factory=db.new_session)


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


def indexed(admin, alias) -> dict[str, dict]:
    """{doc_id: document} of everything behind the alias, refreshed first (none before the first write)."""
    if not admin.indices.exists_alias(name=alias):
        return {}
    admin.indices.refresh(index=alias)
    hits = admin.search(index=alias, body={"query": {"match_all": {}}, "size": 1000})["hits"]["hits"]
    return {hit["_id"]: hit["_source"] for hit in hits}


def indexed_specialists(admin, alias) -> set[int]:
    """Specialists with a document behind the alias."""
    return {doc["specialist_id"] for doc in indexed(admin, alias).values()}


def behind(admin, alias) -> list[str]:
    """The indices the alias points at."""
    return sorted(admin.indices.get_alias(name=alias))


def versioned_indices(admin, alias) -> list[str]:
    """Every index built for the alias, pointed at or not."""
    return sorted(admin.indices.get(index=f"{alias}-v*"))


def test_pending_rows_are_written_and_marked_processed(backend, session, admin, alias):
    ids = changed_specialists(session)
    report = backend.apply_outbox()
    assert (report.applied, report.failed, report.specialists) == (3, 0, 3)
    assert indexed_specialists(admin, alias) == set(ids)
    assert all(row.processed_at is not None and row.last_error is None for row in outbox(session))
    assert backend.apply_outbox().applied == 0


def test_rows_stay_pending_while_the_cluster_is_unreachable_and_catch_up_after(app, opensearch, engine, alias,
                                                                             session, admin):
    with app.app_context():
        down = cluster_backend(engine, UNREACHABLE, alias, session_factory=db.new_session)
        ids = changed_specialists(session)
        for attempt in (1, 2):  # two runs while the cluster is unreachable
            report = down.apply_outbox()
            assert (report.applied, report.failed) == (0, 3)
            rows = outbox(session)
            assert [r.attempts for r in rows] == [attempt] * 3
            assert all(r.processed_at is None and "ConnectionError" in r.last_error for r in rows)
        assert indexed_specialists(admin, alias) == set()
        report = cluster_backend(engine, opensearch.url(), alias, session_factory=db.new_session).apply_outbox()
    assert (report.applied, report.failed) == (3, 0)
    assert indexed_specialists(admin, alias) == set(ids)
    assert all(r.processed_at is not None and r.last_error is None for r in outbox(session))


def test_a_deleted_practice_location_leaves_the_index(backend, session, admin, alias):
    [sid] = changed_specialists(session, count=1)
    backend.apply_outbox()  # written, not refreshed: the delivery below must still find it
    [location] = session.scalars(select(PracticeLocation).where(PracticeLocation.specialist_id == sid))
    session.delete(location)
    uow = UnitOfWork(session)
    uow.index_specialist(sid)
    uow.commit()
    assert backend.apply_outbox().applied == 1
    assert indexed(admin, alias) == {}


def test_a_document_the_cluster_refuses_keeps_only_its_specialist_pending(backend, session, admin, alias,
                                                                         monkeypatch):
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
    assert indexed_specialists(admin, alias) == set(ids[1:])


def test_an_older_state_arriving_late_is_superseded(backend, admin, alias):
    indexer.ensure_alias(backend.engine, alias)
    doc = {"doc_id": "7", "specialist_id": 1, "practice_location_id": 7, "city": "Newer"}
    written = indexer.write(backend.engine, indexer.index_actions([doc], alias, lambda _d: 10), require_alias=True)
    assert written.written == 1
    late = indexer.write(backend.engine, indexer.index_actions([{**doc, "city": "Older"}], alias, lambda _d: 5),
                         require_alias=True)
    assert (late.written, late.superseded, late.errors) == (0, 1, [])
    assert indexed(admin, alias)["7"]["city"] == "Newer"


def test_creating_an_index_twice_is_no_error_but_a_bad_mapping_is(backend, alias):
    # A create retried after a timeout (its first try got through) must not fail the rebuild.
    backend.engine.create_index(f"{alias}-v1", index_body())
    backend.engine.create_index(f"{alias}-v1", index_body())
    broken = index_body()
    broken["mappings"]["properties"]["location"] = {"type": "geo_pointt"}
    with pytest.raises(backend.engine.errors):
        backend.engine.create_index(f"{alias}-v2", broken)


def test_reindex_loads_a_new_index_then_swaps_the_alias_in_one_call(backend, session, admin, alias, sent):
    changed_specialists(session, count=2)
    assert backend.rebuild() == 2
    [first] = behind(admin, alias)
    sent.clear()
    assert backend.rebuild() == 2
    [second] = behind(admin, alias)
    assert second != first and versioned_indices(admin, alias) == [second]
    steps = [(r.method, r.path) for r in sent]
    swap = next(r for r in sent if r.path == "/_aliases")
    assert swap.body["actions"] == [{"remove": {"index": first, "alias": alias}},
                                    {"add": {"index": second, "alias": alias}}]
    # Built and refreshed before the alias moves; the old index is dropped only after.
    order = [("PUT", f"/{second}"), ("PUT", f"/{second}/_settings"), ("POST", f"/{second}/_refresh"),
             ("POST", "/_aliases"), ("DELETE", f"/{first}")]
    assert [steps.index(step) for step in order] == sorted(steps.index(step) for step in order)
    assert any(path.endswith("/_bulk") and steps.index((m, path)) < steps.index(("POST", "/_aliases"))
               for m, path in steps)


def test_a_change_committed_while_a_rebuild_loads_reaches_the_new_index(backend, session, admin, alias, monkeypatch):
    first, _other = changed_specialists(session, count=2)
    backend.rebuild()
    real = indexer.rebuild

    def rebuild_with_a_change_meanwhile(engine, alias, docs, version, progress=None):
        def load():
            yield from docs  # the new index now holds every specialist as it was...
            person = session.get(Specialist, first)  # ...then one changes, and is delivered to the old index
            person.telehealth = not person.telehealth
            uow = UnitOfWork(session)
            uow.index_specialist(first)
            uow.commit()
            backend.apply_outbox()
        return real(engine, alias, load(), version, progress)

    monkeypatch.setattr(indexer, "rebuild", rebuild_with_a_change_meanwhile)
    backend.rebuild()
    session.expire_all()
    expected = session.get(Specialist, first).telehealth
    session.commit()
    found = [doc["telehealth"] for doc in indexed(admin, alias).values() if doc["specialist_id"] == first]
    assert found == [expected]


def test_a_failed_rebuild_leaves_the_alias_where_it_was(backend, session, admin, alias, monkeypatch):
    changed_specialists(session, count=2)
    backend.rebuild()
    [before] = behind(admin, alias)
    real = cluster.build_documents  # the cluster backend's own reference: where a rebuild reads documents
    monkeypatch.setattr(cluster, "build_documents", lambda s, ids=None: ({**d, "x": 1} for d in real(s, ids)))
    with pytest.raises(indexer.RebuildFailed):
        backend.rebuild()
    assert behind(admin, alias) == [before] and versioned_indices(admin, alias) == [before]


def test_the_follow_worker_delivers_rows_until_stopped(app, backend, session, admin, alias):
    stop, factory = threading.Event(), app.extensions["db"][1]  # the worker thread has no app context
    worker = threading.Thread(target=follow, args=(backend, factory, 0.02, stop, lambda _l: None))
    worker.start()
    try:
        ids = changed_specialists(session)
        deadline = time.monotonic() + 10
        while indexed_specialists(admin, alias) != set(ids) and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        stop.set()
        worker.join(10)
    assert indexed_specialists(admin, alias) == set(ids)


@pytest.mark.parametrize("name, kind", [("opensearch", OpenSearchBackend), ("elasticsearch", ElasticsearchBackend)])
def test_the_app_configured_for_a_cluster_delivers_after_each_directory_commit(app, session, opensearch, admin,
                                                                               alias, name, kind):
    if name == "opensearch":
        app.config.update(SEARCH_BACKEND=name, OPENSEARCH_URL=opensearch.url(), OPENSEARCH_INDEX=alias)
        with app.app_context():
            assert isinstance(search.backend(), kind)
            ids = changed_specialists(session, count=1)
            search.on_directory_commit()
        assert indexed_specialists(admin, alias) == set(ids)
    else:  # the stock Elasticsearch 9 client and OpenSearch refuse each other: nothing indexed, the row kept
        app.config.update(SEARCH_BACKEND=name, ELASTICSEARCH_URL=opensearch.url(), ELASTICSEARCH_INDEX=alias)
        with app.app_context():
            assert isinstance(search.backend(), kind)
            changed_specialists(session, count=1)
            search.on_directory_commit()
        assert indexed(admin, alias) == {}
        [row] = outbox(session)
        # OpenSearch answers the client's `compatible-with=9` media type with 406 (were it accepted, the
        # client's product check would refuse the answer): why OpenSearch needs opensearch-py.
        assert row.processed_at is None and "406" in row.last_error and "compatible-with=9" in row.last_error


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


@pytest.mark.parametrize("name", ["elasticsearch", "opensearch"])
def test_prune_outbox_keeps_the_rows_a_cluster_backend_has_not_received(app, session, name):
    app.config.update(SEARCH_BACKEND=name)
    old = utcnow() - timedelta(hours=48)
    session.add_all([OutboxEvent(topic="specialist", entity_id=1, created_at=old),
                     OutboxEvent(topic="specialist", entity_id=2, created_at=old, processed_at=old)])
    session.commit()
    result = app.test_cli_runner().invoke(args=["prune-outbox", "--older-than-hours", "24"])
    assert result.exit_code == 0, result.output
    assert [row.entity_id for row in outbox(session)] == [1]
