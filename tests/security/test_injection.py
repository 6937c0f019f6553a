"""Hostile input: SQL fragments, quotes and traversal paths get 4xx, never 5xx, leak nothing and change nothing."""
import pytest
from sqlalchemy import func, select

from api.models import Case, Role, Specialist, User
from tests.cases.factories import bearer, make_account, make_case
from tests.factories import make_specialist

SQL = ["' OR 1=1--", "\" OR \"\"=\"", "1; DROP TABLE specialist;--", "%' UNION SELECT email FROM user_account--",
       "\\' OR 1=1 --", "%%", "_"]
LEAKS = ("Traceback", "sqlalchemy", "psycopg", "sqlite3", "SELECT ", "user_account", "password")


def _counts(session):
    session.expire_all()
    return tuple(session.scalar(select(func.count()).select_from(m)) for m in (Specialist, User, Case))


def _clean(response, sent: str = ""):
    assert response.status_code < 500, response.get_data(as_text=True)
    text = response.get_data(as_text=True).replace(sent, "")  # an echo of the query is not a leak
    assert not any(word in text for word in LEAKS), text


@pytest.fixture
def world(session):
    make_specialist(session, last_name="Okafor")
    referrer, patient = make_account(session, Role.REFERRING_PHYSICIAN), make_account(session, Role.PATIENT)
    case = make_case(session, creator=referrer, patient=patient)
    headers = bearer(session, referrer)
    session.commit()
    return case, headers


@pytest.mark.parametrize("text", SQL)
def test_sql_in_search_parameters(client, session, world, text):
    before = _counts(session)
    found = client.get("/v1/specialists", query_string={"q": text})
    _clean(found, text)
    assert found.status_code == 422 or found.get_json()["total"] == 0  # the one specialist is not named like this
    for url, params in (("/v1/reference/conditions", {"q": text}), ("/v1/geocode", {"q": text}),
                        ("/v1/specialists", {"specialty": text}), ("/v1/specialists", {"condition": text})):
        _clean(client.get(url, query_string=params), text)
    assert _counts(session) == before


@pytest.mark.parametrize("code", ["520' OR '1'='1", "C92.0\"; --", "../../etc/passwd", "ORPHA:520'--"])
def test_condition_codes_with_quotes_are_refused(client, session, world, code):
    before = _counts(session)
    body = {"conditions": [{"system": "ORPHA", "code": code}], "zip": "10001"}
    response = client.post("/v1/matches", json=body)
    _clean(response)
    assert response.status_code == 422
    _, headers = world
    intake = client.post("/v1/cases", headers=headers, json={"conditions": [{"system": "ICD-10-CM", "code": code}]})
    _clean(intake)
    assert intake.status_code == 422 and _counts(session) == before


@pytest.mark.parametrize("tail", [
    "..%2F..%2Fetc%2Fpasswd", "%2e%2e%2f%2e%2e%2fetc%2fpasswd", "../../etc/passwd", "1%00.pdf", "1'%20OR%201=1",
    "-1", "99999999999999999999", "1;DROP%20TABLE%20record_document",
])
def test_record_paths_and_ids_with_junk(client, session, world, tail):
    case, headers = world
    before = _counts(session)
    for url in (f"/v1/cases/{case.id}/records/{tail}", f"/v1/cases/{tail}", f"/v1/specialists/{tail}",
                f"/v1/cases/{tail}/records"):
        response = client.get(url, headers=headers)
        _clean(response)
        assert response.status_code == 404 and "root:" not in response.get_data(as_text=True)
    assert _counts(session) == before
