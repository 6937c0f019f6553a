"""Every error answers RFC 9457 problem+json; no input gives a 5xx."""
import pytest

from api.models import Role
from tests.factories import login, make_user

PROBLEM = "application/problem+json"


def _assert_problem(response, status):
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == PROBLEM
    body = response.get_json()
    assert body["status"] == status and body["title"] and body["type"] == "about:blank"
    return body


@pytest.fixture
def admin_headers(client, session):
    make_user(session, Role.ADMIN, email="admin@example.test")
    session.commit()
    return login(client, "admin@example.test")


def test_unknown_route_is_404(client):
    _assert_problem(client.get("/v1/nowhere"), 404)


def test_wrong_method_is_405_with_allow(client):
    response = client.put("/v1/reference/specialties", json={})
    _assert_problem(response, 405)
    assert "GET" in response.headers["Allow"]


def test_malformed_json_is_400(client, admin_headers):
    response = client.post("/v1/specialists", data="{not json", content_type="application/json",
                           headers=admin_headers)
    _assert_problem(response, 400)


def test_non_json_body_is_415(client, admin_headers):
    response = client.post("/v1/specialists", data="npi=1", content_type="application/x-www-form-urlencoded",
                           headers=admin_headers)
    _assert_problem(response, 415)


def test_oversized_body_is_413(client, admin_headers):
    response = client.post("/v1/specialists", data="x" * (2 * 1024 * 1024), content_type="application/json",
                           headers=admin_headers)
    _assert_problem(response, 413)


def test_validation_is_422_with_a_message_per_field(client, admin_headers):
    response = client.post("/v1/specialists", json={"npi": "1234567890", "first_name": "",
                                                    "specialties": [{"code": "NOPE"}], "extra": 1},
                           headers=admin_headers)
    body = _assert_problem(response, 422)
    fields = body["errors"]["json"]
    assert {"npi", "first_name", "last_name", "specialties", "extra"} <= set(fields)
    assert "check digit" in fields["npi"][0]


def test_bad_query_argument_is_422(client):
    body = _assert_problem(client.get("/v1/specialists?radius_mi=-3&page_size=1000"), 422)
    assert {"radius_mi", "page_size"} <= set(body["errors"]["query"])


def test_unknown_zip_is_422_naming_zip(client):
    body = _assert_problem(client.get("/v1/specialists?zip=00000"), 422)
    assert "zip" in body["errors"]["query"]


def test_unexpected_failure_is_problem_json_without_internals(app, client, monkeypatch):
    from api.directory import queries

    def boom(*a, **k):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(queries, "list_specialists", boom)
    response = client.get("/v1/specialists")
    body = _assert_problem(response, 500)
    assert "secret" not in response.get_data(as_text=True) and body["title"] == "Internal Server Error"


@pytest.mark.parametrize("path", [
    "/v1/specialists?page=0", "/v1/specialists?lat=91&lon=0", "/v1/specialists?lat=40",
    "/v1/specialists?zip=abcde", "/v1/specialists?specialty=%00", "/v1/specialists?q=%27%3B%20DROP%20TABLE%20specialist%3B--",
    "/v1/specialists?condition=ORPHA:xyz", "/v1/specialists/99999999999999999999", "/v1/reference/conditions?q=",
    "/v1/geocode?q=", "/v1/specialists?telehealth=maybe",
])
def test_hostile_inputs_never_give_5xx(client, path):
    response = client.get(path)
    assert response.status_code < 500
    if response.status_code >= 400:
        assert response.mimetype == PROBLEM


def test_a_value_the_database_refuses_is_422_not_500(client, monkeypatch):
    from sqlalchemy.exc import DataError

    from api.directory import queries

    def refuse(*a, **k):
        raise DataError("SELECT ...", {}, Exception("integer out of range"))

    monkeypatch.setattr(queries, "list_specialists", refuse)
    response = client.get("/v1/specialists")
    assert response.status_code == 422 and response.mimetype == PROBLEM


@pytest.mark.parametrize("path", ["/v1/audit?case_id=99999999999", "/v1/audit?actor_user_id=2147483648"])
def test_ids_beyond_32_bits_are_422(client, session, path):
    make_user(session, Role.ADMIN, email="audit-admin@example.test")
    session.commit()
    headers = login(client, "audit-admin@example.test")
    response = client.get(path, headers=headers)
    assert response.status_code == 422 and response.mimetype == PROBLEM
