"""Login throttling: wrong passwords slow the attacker (per e-mail and per address, with back-off),
never reveal whether an account exists, and never keep a verified owner out."""
from datetime import timedelta

import pytest

from api.auth.throttle import ThrottlePolicy, email_key
from api.db import utcnow
from api.models import LoginThrottle
from tests.factories import PASSWORD, make_user


@pytest.fixture
def strict(app):
    """Three free wrong passwords per e-mail, then 60 s doubling, at most 600 s."""
    app.config.update(LOGIN_MAX_FAILURES=3, LOGIN_BACKOFF_BASE_S=60, LOGIN_LOCKOUT_S=600)
    return app


def _attempt(client, email, password="wrong password", address="127.0.0.1"):
    return client.post("/v1/auth/token", json={"email": email, "password": password},
                       environ_base={"REMOTE_ADDR": address})


def _shape(response):
    body = {k: v for k, v in response.get_json().items() if k != "instance"}
    return response.status_code, response.mimetype, body


def test_the_back_off_doubles_and_stops_at_the_cap():
    policy = ThrottlePolicy(email_free=3, address_free=20, base_s=2, cap_s=60)
    assert [policy.block_s(n, 3) for n in range(1, 10)] == [0, 0, 2, 4, 8, 16, 32, 60, 60]


def test_past_the_free_failures_even_the_right_password_waits(strict, client, session):
    user = make_user(session, email="locked@example.test")
    session.commit()
    assert [_attempt(client, user.email).status_code for _ in range(3)] == [401, 401, 401]
    locked = _attempt(client, user.email, PASSWORD)
    assert locked.status_code == 429 and locked.mimetype == "application/problem+json"
    assert 55 <= int(locked.headers["Retry-After"]) <= 60


def test_an_unknown_email_is_answered_exactly_like_a_real_one(strict, client, session):
    make_user(session, email="real@example.test")
    session.commit()
    real = [_shape(_attempt(client, "real@example.test")) for _ in range(4)]
    ghost = [_shape(_attempt(client, "ghost@example.test")) for _ in range(4)]
    assert [status for status, _, _ in real] == [401, 401, 401, 429]
    assert real == ghost


def test_counters_are_in_the_database_keyed_by_a_digest(strict, client, session):
    _attempt(client, "Someone@Example.test")
    row = session.get(LoginThrottle, email_key("someone@example.test"))
    assert row is not None and row.failures == 1
    assert session.query(LoginThrottle).filter(LoginThrottle.key.like("%example%")).count() == 0


def test_the_address_counter_slows_one_address_trying_many_emails(app, client):
    app.config.update(LOGIN_ADDRESS_MAX_FAILURES=3, LOGIN_BACKOFF_BASE_S=30)
    statuses = [_attempt(client, f"guess{n}@example.test", address="192.0.2.9").status_code for n in range(4)]
    assert statuses == [401, 401, 401, 429]
    # Another address is not slowed by it.
    assert _attempt(client, "guess9@example.test", address="192.0.2.10").status_code == 401


def test_a_success_resets_the_email_count(strict, client, session):
    user = make_user(session, email="forgetful@example.test")
    session.commit()
    for _ in range(2):
        _attempt(client, user.email)
    assert _attempt(client, user.email, PASSWORD).status_code == 201
    assert [_attempt(client, user.email).status_code for _ in range(2)] == [401, 401]


def test_the_block_ends_when_its_time_is_up(strict, client, session):
    user = make_user(session, email="patient@example.test")
    session.add(LoginThrottle(key=email_key(user.email), failures=9, blocked_until=utcnow() - timedelta(seconds=1)))
    session.commit()
    assert _attempt(client, user.email, PASSWORD).status_code == 201
    session.expire_all()
    assert session.get(LoginThrottle, email_key(user.email)) is None


def test_throttling_holds_with_rate_limits_switched_off(database_url):
    from api.app import create_app
    from api.config import TestConfig

    app = create_app(TestConfig(DATABASE_URL=database_url, RATELIMIT_ENABLED=False, LOGIN_MAX_FAILURES=2))
    client = app.test_client()
    assert [_attempt(client, "nobody@example.test").status_code for _ in range(3)] == [401, 401, 429]
    app.extensions["db"][0].dispose()
