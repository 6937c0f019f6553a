"""JSON logs: every line of a request carries its id; one access line per request, by route template."""
import io
import json
import logging

import pytest

from api.observability.logging import make_handler


@pytest.fixture
def json_lines():
    """What the JSON handler writes during the test, as parsed lines."""
    stream = io.StringIO()
    handler = make_handler("json", stream)
    root = logging.getLogger()
    root.addHandler(handler)
    level = root.level
    root.setLevel(logging.DEBUG)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    root.removeHandler(handler)
    root.setLevel(level)


def test_a_sane_request_id_is_kept_and_echoed(client):
    response = client.get("/healthz", headers={"X-Request-ID": "edge-7f3a9c21.b"})
    assert response.headers["X-Request-ID"] == "edge-7f3a9c21.b"


@pytest.mark.parametrize("given", [None, "short", "has space in it", "x" * 200, "ok-id;INFO forged line",
                                   "<script>alert(1)</script>"])
def test_a_missing_or_insane_request_id_is_replaced(client, given):
    headers = {"X-Request-ID": given} if given else {}
    made = client.get("/healthz", headers=headers).headers["X-Request-ID"]
    assert made != given and len(made) == 32 and int(made, 16) >= 0


def test_every_line_of_a_request_carries_its_id(app, client, json_lines):
    app.config["RATE_LIMIT_SEARCH"] = "1/minute"
    client.get("/v1/geocode", headers={"X-Request-ID": "req-00000001"})
    client.get("/v1/geocode", headers={"X-Request-ID": "req-00000002"})  # refused: the limiter logs it too
    lines = json_lines()
    assert [line["logger"] for line in lines] == ["api.access", "api.security.limits", "api.access"]
    assert [line["request_id"] for line in lines] == ["req-00000001", "req-00000002", "req-00000002"]


def test_one_access_line_with_the_route_template_and_no_query_string(client, json_lines):
    client.get("/v1/reference/conditions?q=leukemia&system=ORPHA")
    client.get("/v1/specialists/424242?fields=secret")
    access = [line for line in json_lines() if line["logger"] == "api.access"]
    assert [(a["method"], a["route"], a["status"]) for a in access] == [
        ("GET", "/v1/reference/conditions", 200),
        ("GET", "/v1/specialists/<id:specialist_id>", 404)]
    assert all(a["duration_ms"] >= 0 for a in access)
    text = json.dumps(json_lines())
    assert "leukemia" not in text and "424242" not in text and "secret" not in text
