"""Liveness and readiness."""
from api.app import create_app
from api.config import TestConfig


def test_healthz_says_the_process_is_up(client):
    assert client.get("/healthz").get_json()["status"] == "ok"


def test_readyz_checks_database_and_search(client):
    body = client.get("/readyz").get_json()
    assert body == {"status": "ok", "checks": {"database": "ok", "search": "ok"}}


def test_readyz_is_503_when_the_database_is_unreachable(tmp_path):
    # A PostgreSQL URL on a port nothing listens on: the database check fails, the probe says so.
    app = create_app(TestConfig(DATABASE_URL="postgresql+psycopg://nobody:x@127.0.0.1:1/none"))
    response = app.test_client().get("/readyz")
    assert response.status_code == 503 and response.mimetype == "application/problem+json"
    assert "database" in response.get_json()["detail"]
