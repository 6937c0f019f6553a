"""Demo accounts: one per role, idempotent, usable for logging in."""
from __future__ import annotations

from sqlalchemy import select

from api.identifiers import is_valid_npi
from api.models import Role, User
from seed_data.demo_accounts import DEMO_ACCOUNTS, ensure_demo_accounts
from tests.factories import login, make_specialist


def test_one_demo_account_per_role_with_demo_only_credentials():
    assert sorted(a.role.value for a in DEMO_ACCOUNTS) == sorted(r.value for r in Role)
    assert all(a.email.endswith("@demo.secondlook.test") and a.password.startswith("demo-") for a in DEMO_ACCOUNTS)
    assert {a.email for a in DEMO_ACCOUNTS if a.role is Role.ADMIN} == {"admin@demo.secondlook.test"}


def test_ensure_creates_missing_accounts_once_and_they_can_log_in(client, session):
    make_specialist(session, data_source="manual")
    synthetic = make_specialist(session, data_source="synthetic")
    session.commit()
    assert len(ensure_demo_accounts(session)) == 4
    session.commit()
    assert ensure_demo_accounts(session) == []
    session.commit()
    users = {u.role: u for u in session.scalars(select(User))}
    assert len(users) == 4
    assert users[Role.SPECIALIST].specialist_id == synthetic.id
    assert is_valid_npi(users[Role.REFERRING_PHYSICIAN].npi)
    session.rollback()  # release the test's transaction (on SQLite it holds the write lock) for the requests
    for account in DEMO_ACCOUNTS:
        headers = login(client, account.email, account.password)
        assert client.get("/v1/auth/me", headers=headers).get_json()["role"] == account.role.value


def test_the_specialist_account_is_linked_once_a_directory_exists(session):
    ensure_demo_accounts(session)
    session.commit()
    specialist = session.scalars(select(User).where(User.role == Role.SPECIALIST)).one()
    assert specialist.specialist_id is None
    synthetic = make_specialist(session, data_source="synthetic")
    session.commit()
    ensure_demo_accounts(session)
    session.commit()
    assert specialist.specialist_id == synthetic.id
