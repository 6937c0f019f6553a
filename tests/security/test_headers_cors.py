"""Security headers on every response; CORS only for configured origins."""
import pytest

from api.app import create_app
from api.config import TestConfig
from tests.payments_support import make_person

STATIC = {"X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer", "X-Frame-Options": "DENY"}


@pytest.mark.parametrize("call", [
    lambda c: c.get("/healthz"), lambda c: c.get("/v1/nowhere"), lambda c: c.post("/v1/matches", json={}),
    lambda c: c.get("/openapi.json"),
])
def test_every_response_carries_the_security_headers(client, call):
    response = call(client)
    for name, value in STATIC.items():
        assert response.headers[name] == value
    assert response.headers["Content-Security-Policy"].startswith("default-src 'none'")
    assert "Strict-Transport-Security" not in response.headers  # plain HTTP, HSTS not configured


def test_hsts_on_secure_requests_or_when_configured(app, client):
    assert "max-age=" in client.get("/healthz", base_url="https://localhost").headers["Strict-Transport-Security"]
    app.config["HSTS_ENABLED"] = True
    assert "Strict-Transport-Security" in client.get("/healthz").headers


def test_authenticated_answers_are_not_cached(client, session):
    _, headers = make_person(session)
    session.commit()
    assert client.get("/v1/auth/me", headers=headers).headers["Cache-Control"] == "no-store"
    assert "no-store" not in client.get("/healthz").headers.get("Cache-Control", "")


def test_no_cors_headers_without_configured_origins(client):
    response = client.get("/healthz", headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in response.headers


@pytest.fixture
def cors_client(database_url):
    app = create_app(TestConfig(DATABASE_URL=database_url, CORS_ORIGINS="https://app.example, https://ops.example"))
    yield app.test_client()
    app.extensions["db"][0].dispose()


def test_a_configured_origin_gets_cors_and_a_preflight_answer(cors_client):
    preflight = cors_client.options("/v1/matches", headers={
        "Origin": "https://app.example", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "Content-Type, Authorization"})
    assert preflight.status_code == 200
    assert preflight.headers["Access-Control-Allow-Origin"] == "https://app.example"
    assert "POST" in preflight.headers["Access-Control-Allow-Methods"]
    assert "authorization" in preflight.headers["Access-Control-Allow-Headers"].lower()
    simple = cors_client.get("/healthz", headers={"Origin": "https://ops.example"})
    assert simple.headers["Access-Control-Allow-Origin"] == "https://ops.example"
    assert "X-Request-ID" in simple.headers["Access-Control-Expose-Headers"]


def test_an_unlisted_origin_gets_no_cors(cors_client):
    response = cors_client.options("/v1/matches", headers={
        "Origin": "https://evil.example", "Access-Control-Request-Method": "POST"})
    assert "Access-Control-Allow-Origin" not in response.headers
