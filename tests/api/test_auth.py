"""Login, bearer tokens, revocation and role guards."""
from datetime import timedelta

from sqlalchemy import select

from api.db import utcnow
from api.models import AccessToken, Role
from tests.factories import PASSWORD, login, make_user


def test_login_issues_a_token_that_identifies_the_account(client, session):
    user = make_user(session, Role.REFERRING_PHYSICIAN, email="ref@example.test")
    session.commit()
    headers = login(client, "REF@example.test")  # e-mail is case-insensitive
    me = client.get("/v1/auth/me", headers=headers)
    assert me.status_code == 200
    assert me.get_json()["id"] == user.id and me.get_json()["role"] == "referring_physician"


def test_password_is_stored_as_an_argon2id_hash(session):
    user = make_user(session)
    session.commit()
    assert user.password_hash.startswith("$argon2id$") and PASSWORD not in user.password_hash


def test_token_is_stored_only_as_its_digest(client, session):
    make_user(session, email="p@example.test")
    session.commit()
    token = login(client, "p@example.test")["Authorization"].split()[1]
    stored = session.scalars(select(AccessToken.token_sha256)).all()
    assert token not in stored and len(stored) == 1 and len(stored[0]) == 64


def test_wrong_password_and_unknown_email_get_the_same_401(client, session):
    make_user(session, email="p@example.test")
    session.commit()
    wrong = client.post("/v1/auth/token", json={"email": "p@example.test", "password": "nope"})
    unknown = client.post("/v1/auth/token", json={"email": "x@example.test", "password": "nope"})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.get_json()["detail"] == unknown.get_json()["detail"]
    assert wrong.mimetype == "application/problem+json"


def test_logout_revokes_the_token_at_once(client, session):
    make_user(session, email="p@example.test")
    session.commit()
    headers = login(client, "p@example.test")
    assert client.delete("/v1/auth/token", headers=headers).status_code == 204
    assert client.get("/v1/auth/me", headers=headers).status_code == 401


def test_expired_token_is_refused(client, session):
    make_user(session, email="p@example.test")
    session.commit()
    headers = login(client, "p@example.test")
    for row in session.scalars(select(AccessToken)):
        row.expires_at = utcnow() - timedelta(seconds=1)
    session.commit()
    response = client.get("/v1/auth/me", headers=headers)
    assert response.status_code == 401 and "Bearer" in response.headers["WWW-Authenticate"]


def test_garbage_and_missing_tokens_are_401(client):
    assert client.get("/v1/auth/me").status_code == 401
    assert client.get("/v1/auth/me", headers={"Authorization": "Bearer not-a-token"}).status_code == 401
    assert client.get("/v1/auth/me", headers={"Authorization": "Basic Zm9vOmJhcg=="}).status_code == 401
