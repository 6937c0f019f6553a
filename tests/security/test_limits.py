"""Limits: rate limits answer 429 problem+json with Retry-After, list sizes are capped, bodies too."""
import pytest

from api.security.limits import LIMITED

# Each limited endpoint with a request that fails validation: the limit is checked before parsing,
# so these count without touching data.
CALLS = {
    ("/v1/auth/token", "POST"): lambda c: c.post("/v1/auth/token", json={}),
    ("/v1/specialists", "GET"): lambda c: c.get("/v1/specialists?page_size=0"),
    ("/v1/matches", "POST"): lambda c: c.post("/v1/matches", json={}),
    ("/v1/reference/conditions", "GET"): lambda c: c.get("/v1/reference/conditions?limit=0"),
    ("/v1/geocode", "GET"): lambda c: c.get("/v1/geocode"),
    ("/v1/payers", "GET"): lambda c: c.get("/v1/payers?page_size=0"),
    ("/v1/plans", "GET"): lambda c: c.get("/v1/plans?page_size=0"),
    ("/v1/networks", "GET"): lambda c: c.get("/v1/networks?page_size=0"),
    ("/v1/accounts/patients", "POST"): lambda c: c.post("/v1/accounts/patients", json={}),
    ("/v1/accounts/physicians", "POST"): lambda c: c.post("/v1/accounts/physicians", json={}),
    ("/v1/accounts/password-reset", "POST"): lambda c: c.post("/v1/accounts/password-reset", json={}),
}


def test_every_limited_endpoint_has_a_call_here():
    assert set(CALLS) == set(LIMITED)


@pytest.mark.parametrize("endpoint", sorted(CALLS), ids=lambda e: f"{e[1]} {e[0]}")
def test_a_low_limit_answers_429_problem_with_retry_after(app, client, endpoint):
    app.config.update(RATE_LIMIT_LOGIN="2/minute", RATE_LIMIT_SEARCH="2/minute")
    call = CALLS[endpoint]
    statuses = [call(client).status_code for _ in range(3)]
    assert statuses[:2] == [422, 422] and statuses[2] == 429
    refused = call(client)
    assert refused.mimetype == "application/problem+json"
    assert refused.get_json()["status"] == 429
    assert 1 <= int(refused.headers["Retry-After"]) <= 61  # window end, rounded up


def test_limits_count_per_client_address(app, client):
    app.config.update(RATE_LIMIT_SEARCH="1/minute")
    assert client.get("/v1/geocode").status_code == 422
    assert client.get("/v1/geocode").status_code == 429
    other = client.get("/v1/geocode", environ_base={"REMOTE_ADDR": "192.0.2.7"})
    assert other.status_code == 422


def test_unlimited_endpoints_are_not_limited(app, client):
    app.config.update(RATE_LIMIT_SEARCH="1/minute")
    assert [client.get("/healthz").status_code for _ in range(3)] == [200, 200, 200]


@pytest.mark.parametrize("url", [
    "/v1/specialists?page_size=101", "/v1/reference/conditions?q=leuk&limit=101",
    "/v1/slots?specialist_id=1&limit=501",
])
def test_list_sizes_are_capped(client, url):
    response = client.get(url)
    assert response.status_code == 422, response.get_json()


def test_a_body_over_max_content_length_is_413_problem(app, client):
    app.config["MAX_CONTENT_LENGTH"] = 1024
    response = client.post("/v1/matches", data=b"{" + b" " * 2048 + b"}", content_type="application/json")
    assert response.status_code == 413 and response.mimetype == "application/problem+json"
