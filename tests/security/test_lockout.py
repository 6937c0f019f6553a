"""Lockout: repeated wrong passwords lock an e-mail for a while, and a lock never reveals that an account exists."""
from datetime import timedelta

import pytest

from api.db import utcnow
from api.models import User
from tests.factories import PASSWORD, make_user


@pytest.fixture
def strict(app):
    """Three wrong passwords lock for ten minutes."""
    app.config.update(LOGIN_MAX_FAILURES=3, LOGIN_LOCKOUT_S=600)
    return app


def _attempt(client, email, password="wrong password"):
    return client.post("/v1/auth/token", json={"email": email, "password": password})


def _shape(response):
    body = dict(response.get_json())
    return response.status_code, response.mimetype, body


def test_three_wrong_passwords_lock_the_account_even_for_the_right_one(strict, client, session):
    user = make_user(session, email="locked@example.test")
    session.commit()
    assert [_attempt(client, user.email).status_code for _ in range(3)] == [401, 401, 401]
    locked = _attempt(client, user.email, PASSWORD)
    assert locked.status_code == 429 and locked.mimetype == "application/problem+json"
    assert 590 <= int(locked.headers["Retry-After"]) <= 600
    session.expire_all()
    assert session.get(User, user.id).locked_until is not None


def test_an_unknown_email_is_answered_exactly_like_a_locked_account(strict, client, session):
    make_user(session, email="real@example.test")
    session.commit()
    real = [_shape(_attempt(client, "real@example.test")) for _ in range(4)]
    ghost = [_shape(_attempt(client, "ghost@example.test")) for _ in range(4)]
    strip = [(s, m, {k: v for k, v in b.items() if k != "instance"}) for s, m, b in real]
    assert [s for s, _, _ in real] == [401, 401, 401, 429]
    assert strip == [(s, m, {k: v for k, v in b.items() if k != "instance"}) for s, m, b in ghost]


def test_a_success_resets_the_count(strict, client, session):
    user = make_user(session, email="forgetful@example.test")
    session.commit()
    for _ in range(2):
        _attempt(client, user.email)
    assert _attempt(client, user.email, PASSWORD).status_code == 201
    assert [_attempt(client, user.email).status_code for _ in range(2)] == [401, 401]


def test_the_lock_ends_when_its_time_is_up(strict, client, session):
    user = make_user(session, email="patient@example.test")
    user.locked_until = utcnow() - timedelta(seconds=1)
    session.commit()
    assert _attempt(client, user.email, PASSWORD).status_code == 201
    session.expire_all()
    assert session.get(User, user.id).locked_until is None


def test_lockout_holds_with_rate_limits_switched_off(database_url):
    from api.app import create_app
    from api.config import TestConfig

    app = create_app(TestConfig(DATABASE_URL=database_url, RATELIMIT_ENABLED=False, LOGIN_MAX_FAILURES=2))
    client = app.test_client()
    assert [_attempt(client, "nobody@example.test").status_code for _ in range(3)] == [401, 401, 429]
    app.extensions["db"][0].dispose()
