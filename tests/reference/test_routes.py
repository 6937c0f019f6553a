"""The reference endpoints parse their queries with schema instances built once (as POST /v1/matches does),
not a new schema per request: the autocomplete is called on every keystroke."""
from __future__ import annotations

from api.reference.schemas import ConditionQuerySchema, GeocodeQuerySchema


def _counting(schema, built: list[str]):
    original = schema.__init__

    def init(self, *args, **kwargs):
        built.append(schema.__name__)
        original(self, *args, **kwargs)

    return init


def test_no_query_schema_is_built_per_request(client, monkeypatch):
    built: list[str] = []
    for schema in (ConditionQuerySchema, GeocodeQuerySchema):
        monkeypatch.setattr(schema, "__init__", _counting(schema, built))
    for q in ("lupus", "promyelo", "APL"):
        answer = client.get("/v1/reference/conditions", query_string={"q": q, "limit": 3})
        assert answer.status_code == 200 and answer.get_json()
    assert client.get("/v1/geocode", query_string={"q": "10001"}).status_code == 200
    assert client.get("/v1/reference/conditions", query_string={"limit": 3}).status_code == 422  # still validated
    assert built == []
