"""Oversized URLs and headers answer problem+json (414, 431), in the app and behind a real gunicorn."""
import http.client
import json
import os
import socket
import subprocess
import sys
import time

import pytest

from api.config import REPO_ROOT
from api.request_limits import MAX_HEADER_BYTES, MAX_HEADER_FIELD_BYTES, MAX_URL_BYTES

PROBLEM = "application/problem+json"
GUNICORN_CONF = REPO_ROOT / "gunicorn.conf.py"


def _problem(response, status: int, says: str) -> None:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == PROBLEM
    body = response.get_json()
    assert body["status"] == status and says in body["detail"], body


def test_a_long_url_is_414_problem(client):
    _problem(client.get("/v1/specialists?q=" + "a" * MAX_URL_BYTES), 414, "URL")


def test_a_long_header_is_431_problem_naming_it(client):
    _problem(client.get("/healthz", headers={"X-Filler": "a" * MAX_HEADER_FIELD_BYTES}), 431, "X-Filler")


def test_many_header_bytes_in_all_are_431_problem(client):
    headers = {f"X-Filler-{n}": "a" * 4000 for n in range(MAX_HEADER_BYTES // 4000 + 1)}
    _problem(client.get("/healthz", headers=headers), 431, "in all")


def test_requests_within_the_limits_pass(client):
    assert client.get("/healthz?pad=" + "a" * 2000, headers={"X-Filler": "a" * 4000}).status_code == 200


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def gunicorn(database_url, tmp_path):
    """The app under gunicorn with the project's configuration, on a loopback port; yields the port."""
    port = _free_port()
    env = {**os.environ, "HOST": "127.0.0.1", "PORT": str(port), "WEB_CONCURRENCY": "1",
           "DATABASE_URL": database_url, "RECORDS_DIR": str(tmp_path / "records"), "LOG_FORMAT": "text"}
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "--config", str(GUNICORN_CONF), "api.app:create_app()"],
                              cwd=REPO_ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                connection.request("GET", "/healthz")
                if connection.getresponse().status == 200:
                    break
            except OSError:
                time.sleep(0.5)
        else:
            pytest.fail("gunicorn did not start: " + server.stderr.read1().decode(errors="replace")[-2000:])
        yield port
    finally:
        server.terminate()
        server.wait(timeout=30)


def _ask(port: int, path: str, headers: dict | None = None) -> tuple[int, str, dict]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("GET", path, headers=headers or {})
    response = connection.getresponse()
    return response.status, response.getheader("Content-Type"), json.loads(response.read())


def test_gunicorn_answers_oversized_urls_and_headers_with_problem_json(gunicorn):
    status, content_type, body = _ask(gunicorn, "/v1/specialists?q=" + "a" * (MAX_URL_BYTES + 100))
    assert (status, content_type, body["status"]) == (414, PROBLEM, 414)
    status, content_type, body = _ask(gunicorn, "/healthz", {"X-Filler": "a" * (MAX_HEADER_FIELD_BYTES + 100)})
    assert (status, content_type, body["status"]) == (431, PROBLEM, 431) and "X-Filler" in body["detail"]
