"""Hostile input gets a 4xx problem+json that says what is wrong, never a 5xx (run on SQLite and PostgreSQL)."""
import json
import time

import pytest

from api.models import Role, Specialist
from tests.factories import PASSWORD, login, make_specialist, make_user

PROBLEM = "application/problem+json"
DEEP = "[" * 5000 + "]" * 5000
HUGE_INTEGER = "1" * 4301


def _problem(response, status: int, says: str) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == PROBLEM
    body = response.get_json()
    assert body["status"] == status and says in json.dumps(body), body
    return body


@pytest.fixture
def admin(client, session):
    """An administrator's headers and a specialist to change."""
    make_user(session, Role.ADMIN, email="hostile-admin@example.test")
    specialist = make_specialist(session)
    session.commit()
    return login(client, "hostile-admin@example.test"), specialist.id


def _raw(client, method: str, path: str, text: str, headers=None):
    return client.open(path, method=method, data=text.encode("utf-8", "surrogatepass"),
                       content_type="application/json", headers=headers or {})


def _specialist_body(**overrides) -> str:
    body = {"npi": "1234567893", "first_name": "Ada", "last_name": "Hostile",
            "specialties": [{"code": "207RX0202X", "primary": True}], **overrides}
    return json.dumps(body)  # ensure_ascii: a lone surrogate travels as the escape "\ud800"


@pytest.mark.parametrize("field", ["first_name", "last_name", "bio", "credentials"])
def test_a_lone_surrogate_in_a_stored_text_field_is_400(client, session, admin, field):
    headers, _ = admin
    response = _raw(client, "POST", "/v1/specialists", _specialist_body(**{field: "Ada\ud800"}), headers)
    _problem(response, 400, "surrogate")
    assert session.query(Specialist).filter_by(last_name="Hostile").count() == 0


def test_a_lone_surrogate_in_the_password_is_400(client, session):
    make_user(session, Role.PATIENT, email="surrogate@example.test")
    session.commit()
    body = json.dumps({"email": "surrogate@example.test", "password": PASSWORD + "\udfff"})
    _problem(_raw(client, "POST", "/v1/auth/token", body), 400, "surrogate")


def test_a_surrogate_in_a_key_or_as_raw_bytes_is_400(client):
    _problem(_raw(client, "POST", "/v1/matches", '{"\\ud800": 1}'), 400, "surrogate")
    response = client.post("/v1/matches", data=b'{"specialty": "\xed\xa0\x80"}', content_type="application/json")
    _problem(response, 400, "UTF-8")


def test_json_nested_5000_deep_is_400(client):
    _problem(_raw(client, "POST", "/v1/matches", DEEP), 400, "nests deeper")
    _problem(_raw(client, "POST", "/v1/matches", '{"conditions": ' + DEEP + "}"), 400, "nests deeper")


def test_brackets_inside_strings_do_not_count_as_nesting(client):
    response = _raw(client, "POST", "/v1/matches", json.dumps({"address": "[" * 100, "specialty": "207RX0202X"}))
    assert response.status_code != 400, response.get_json()


def test_an_unterminated_string_of_escaped_quotes_is_refused_in_linear_time(client):
    started = time.perf_counter()
    _problem(_raw(client, "POST", "/v1/matches", '"' + '\\"' * 200_000), 400, "not valid JSON")
    assert time.perf_counter() - started < 10  # a backtracking scan took minutes on this body


def test_a_json_integer_of_more_than_4300_digits_is_400(client):
    _problem(_raw(client, "POST", "/v1/matches", '{"limit": ' + HUGE_INTEGER + "}"), 400, "digits")
    _problem(_raw(client, "POST", "/v1/matches", '{"limit": -' + HUGE_INTEGER + "}"), 400, "digits")


@pytest.mark.parametrize("value", ["9999-12-31T00:00:00Z", "0001-01-01T00:00:00Z", "9999-12-31T23:59:59-12:00",
                                   "1899-12-31T23:59:59Z"])
def test_slot_search_dates_beyond_the_sane_range_are_422(client, value):
    response = client.get("/v1/slots", query_string={"specialist_id": 1, "from": value})
    body = _problem(response, 422, "1900 to 2199")
    assert "from" in body["errors"]["query"]


def test_audit_dates_beyond_the_sane_range_are_422(client, admin):
    headers, _ = admin
    response = client.get("/v1/audit?until=9999-12-31T00:00:00Z", headers=headers)
    _problem(response, 422, "1900 to 2199")


@pytest.mark.parametrize("value", [2**63, 2**31, -1, 2**64 + 1])
def test_a_review_count_outside_the_column_is_422(client, admin, value):
    headers, specialist_id = admin
    response = client.patch(f"/v1/specialists/{specialist_id}", json={"review_count": value}, headers=headers)
    body = _problem(response, 422, "review_count")
    assert "review_count" in body["errors"]["json"]


def test_the_largest_review_count_the_column_holds_is_stored(client, admin):
    headers, specialist_id = admin
    response = client.patch(f"/v1/specialists/{specialist_id}", json={"review_count": 2**31 - 1}, headers=headers)
    assert response.status_code == 200 and response.get_json()["review_count"] == 2**31 - 1


def test_a_far_future_verification_date_is_422(client, admin):
    headers, specialist_id = admin
    response = client.patch(f"/v1/specialists/{specialist_id}", json={"last_verified": "9999-12-31"}, headers=headers)
    _problem(response, 422, "1900 to 2199")


@pytest.mark.parametrize("send", [
    lambda c, url, h: c.patch(url, headers=h),
    lambda c, url, h: c.patch(url, json={}, headers=h),
    lambda c, url, h: c.patch(url, data="", content_type="application/json", headers=h),
], ids=["no body", "empty object", "empty JSON body"])
def test_patch_with_nothing_to_change_is_422_not_200(client, admin, send):
    headers, specialist_id = admin
    response = send(client, f"/v1/specialists/{specialist_id}", headers)
    _problem(response, 422, "at least one field")


def test_duplicate_specialty_codes_merge_into_one_as_the_schema_allows(client, admin):
    headers, specialist_id = admin
    specialties = [{"code": "207RX0202X", "primary": True}, {"code": "207RX0202X", "primary": False}]
    response = client.patch(f"/v1/specialists/{specialist_id}", json={"specialties": specialties}, headers=headers)
    assert response.status_code == 200, response.get_json()
    assert [(s["code"], s["primary"]) for s in response.get_json()["specialties"]] == [("207RX0202X", True)]
