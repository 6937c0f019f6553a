"""Password reset, e-mail change with re-confirmation and deactivation, each audited."""

from __future__ import annotations

import pytest

from api.auth.throttle import email_key
from api.models import AuditEvent, LoginThrottle, User
from tests.factories import PASSWORD, login, make_user

NEW_PASSWORD = "a brand new passphrase"


def _actions(session):
    return [a for (a,) in session.query(AuditEvent.action).order_by(AuditEvent.id)]


def test_reset_answers_the_same_for_unknown_and_real_addresses_and_mails_only_the_owner(client, session, mail):
    make_user(session, email="real@example.test")
    session.commit()
    real = client.post("/v1/accounts/password-reset", json={"email": "real@example.test"})
    ghost = client.post("/v1/accounts/password-reset", json={"email": "ghost@example.test"})
    assert (real.status_code, real.get_json()) == (ghost.status_code, ghost.get_json()) == (202, real.get_json())
    mail.wait_for("real@example.test")
    assert mail.received("ghost@example.test") == []


def test_a_throttled_owner_resets_and_signs_in_at_once(app, client, session, mail):
    app.config.update(LOGIN_MAX_FAILURES=2, LOGIN_BACKOFF_BASE_S=600)
    user = make_user(session, email="owner@example.test")
    session.commit()
    old_headers = login(client, user.email)
    for _ in range(3):
        client.post("/v1/auth/token", json={"email": user.email, "password": "someone guessing"})
    assert client.post("/v1/auth/token", json={"email": user.email, "password": PASSWORD}).status_code == 429

    client.post("/v1/accounts/password-reset", json={"email": user.email})
    token = mail.token_for(user.email)
    done = client.post("/v1/accounts/password-reset/complete", json={"token": token, "password": NEW_PASSWORD})
    assert done.status_code == 204
    assert session.get(LoginThrottle, email_key(user.email)) is None
    assert client.get("/v1/auth/me", headers=old_headers).status_code == 401  # every old session ends
    login(client, user.email, NEW_PASSWORD)
    used = client.post("/v1/accounts/password-reset/complete", json={"token": token, "password": NEW_PASSWORD})
    unknown = client.post("/v1/accounts/password-reset/complete", json={"token": "x" * 43, "password": NEW_PASSWORD})
    # Used once; a used link and one never issued get the same answer, so neither tells which it is.
    assert used.status_code == unknown.status_code == 404 and used.get_json() == unknown.get_json()
    assert _actions(session) == ["account.password_reset"]


def test_an_email_change_takes_effect_only_once_the_new_address_confirms(client, session, mail):
    user = make_user(session, email="old@example.test")
    session.commit()
    headers = login(client, user.email)
    wrong = client.post(
        "/v1/accounts/me/email", json={"email": "new@example.test", "password": "not it"}, headers=headers
    )
    assert wrong.status_code == 403
    asked = client.post(
        "/v1/accounts/me/email", json={"email": "new@example.test", "password": PASSWORD}, headers=headers
    )
    assert asked.status_code == 202
    assert "n***@example.test" in mail.wait_for("old@example.test")[0].get_content()
    assert client.get("/v1/auth/me", headers=headers).get_json()["email"] == "old@example.test"
    confirmed = client.post("/v1/accounts/email-verification", json={"token": mail.token_for("new@example.test")})
    assert confirmed.status_code == 200 and confirmed.get_json()["email"] == "new@example.test"
    login(client, "new@example.test")
    assert _actions(session) == ["account.email_change_requested", "account.email_changed"]


def test_an_email_change_to_a_taken_address_answers_the_same(client, session, mail):
    user = make_user(session, email="mine@example.test")
    make_user(session, email="theirs@example.test")
    session.commit()
    headers = login(client, user.email)
    free = client.post(
        "/v1/accounts/me/email", json={"email": "free@example.test", "password": PASSWORD}, headers=headers
    )
    taken = client.post(
        "/v1/accounts/me/email", json={"email": "theirs@example.test", "password": PASSWORD}, headers=headers
    )
    assert (free.status_code, free.get_json()) == (taken.status_code, taken.get_json())
    assert "already has an account" in mail.wait_for("theirs@example.test")[0].get_content()


def test_deactivation_ends_every_session_and_sign_in(client, session):
    user = make_user(session, email="leaving@example.test")
    session.commit()
    headers = login(client, user.email)
    assert client.post("/v1/accounts/me/deactivation", json={"password": PASSWORD}, headers=headers).status_code == 204
    assert client.get("/v1/auth/me", headers=headers).status_code == 401
    assert client.post("/v1/auth/token", json={"email": user.email, "password": PASSWORD}).status_code == 401
    assert _actions(session) == ["account.deactivated"]


@pytest.mark.parametrize("path", ["/v1/accounts/me/verification-email"])
def test_an_unconfirmed_account_may_ask_for_a_new_link(client, session, mail, path):
    user = make_user(session, email="slow@example.test", verified=False)
    session.commit()
    headers = login(client, user.email)
    assert client.post(path, headers=headers).status_code == 202
    client.get(f"/v1/accounts/email-verification?token={mail.token_for('slow@example.test')}")
    assert client.post(path, headers=headers).status_code == 409
    session.rollback()
    assert session.get(User, user.id).email_verified_at is not None
