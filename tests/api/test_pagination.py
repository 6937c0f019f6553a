"""One pagination helper: the offset arithmetic and the envelope the three listing endpoints share."""
from __future__ import annotations

from api.audit.schemas import AuditPageSchema, AuditQuerySchema
from api.cases.schemas import CasePageSchema, CaseQuerySchema
from api.directory.schemas import SpecialistPageSchema, SpecialistQuerySchema
from api.pagination import PageQuerySchema, PageSchema, offset, page_of
from tests.factories import make_specialist


def test_page_of_a_list_and_offsets():
    page = page_of(list(range(45)), 3, 20)
    assert (page.items, page.total, page.page, page.page_size) == (list(range(40, 45)), 45, 3, 20)
    assert page_of([], 1, 20).items == [] and offset(1, 20) == 0 and offset(4, 25) == 75
    assert page.with_items(["a"]).items == ["a"] and page.with_items(["a"]).total == 45


def test_the_three_listings_share_the_query_and_envelope_schemas():
    assert all(issubclass(s, PageQuerySchema) for s in (AuditQuerySchema, CaseQuerySchema, SpecialistQuerySchema))
    assert all(issubclass(s, PageSchema) for s in (AuditPageSchema, CasePageSchema, SpecialistPageSchema))
    assert AuditQuerySchema().load({})["page_size"] == 50 and CaseQuerySchema().load({})["page_size"] == 20


def test_directory_pages_walk_the_whole_list_once(client, session):
    specialists = [make_specialist(session) for _ in range(5)]
    session.commit()
    ids = {s.id for s in specialists}
    seen, totals = [], set()
    for number in (1, 2, 3):
        body = client.get(f"/v1/specialists?page={number}&page_size=2").get_json()
        seen += [item["id"] for item in body["items"]]
        totals.add(body["total"])
        assert (body["page"], body["page_size"]) == (number, 2)
    assert sorted(seen) == sorted(ids) and totals == {5}
