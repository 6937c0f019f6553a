"""Every id in a path goes through the one `<id:...>` converter: out of range is a 404 problem, never a 500."""
from __future__ import annotations

import pytest

from api.converters import IdConverter
from api.fields import ID_MAX

PROBLEM = "application/problem+json"


def test_every_id_path_parameter_uses_the_id_converter(app):
    ids = [(rule.rule, name, type(converter)) for rule in app.url_map.iter_rules()
           for name, converter in rule._converters.items() if name.endswith("_id")]
    assert len(ids) >= 20  # the directory, cases, records, opinions, coverage and scheduling routes
    assert [entry for entry in ids if entry[2] is not IdConverter] == []


@pytest.mark.parametrize("raw", ["0", str(ID_MAX + 1), str(2**63), str(2**64 + 1), "9" * 1000])
def test_an_id_out_of_range_is_a_404_problem(client, raw):
    response = client.get(f"/v1/specialists/{raw}")
    assert response.status_code == 404 and response.mimetype == PROBLEM


def test_the_largest_id_reaches_the_view(client):
    response = client.get(f"/v1/specialists/{ID_MAX}")
    assert response.status_code == 404 and response.mimetype == PROBLEM
    assert str(ID_MAX) in response.get_json()["detail"]  # the view's own "no specialist" answer


def test_the_published_schema_states_the_range(app):
    operation = app.extensions["flask-smorest"]["apis"][""]["ext_obj"].spec.to_dict()["paths"][
        "/v1/specialists/{specialist_id}"]
    parameter = next(p for p in operation["parameters"] if p["name"] == "specialist_id")
    assert parameter["schema"] == {"type": "integer", "minimum": 1, "maximum": ID_MAX}
