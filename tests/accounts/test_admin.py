"""Administrators find accounts, change roles, lock and unlock, deactivate; every change is audited."""
from __future__ import annotations

from api.models import AuditEvent, Role
from tests.factories import PASSWORD, login, make_user


def _setup(client, session):
    admin = make_user(session, Role.ADMIN, email="admin@example.test", display_name="The Admin")
    target = make_user(session, Role.PATIENT, email="pat.smith@example.test", display_name="Pat Smith")
    make_user(session, Role.SPECIALIST, email="doc@example.test", display_name="Dr. Who")
    session.commit()
    return admin, target, login(client, admin.email)


def test_admins_search_accounts_by_text_role_and_status(client, session):
    _, target, headers = _setup(client, session)
    found = client.get("/v1/admin/users?q=smith", headers=headers).get_json()
    assert [u["id"] for u in found["items"]] == [target.id] and found["total"] == 1
    specialists = client.get("/v1/admin/users?role=specialist", headers=headers).get_json()
    assert [u["email"] for u in specialists["items"]] == ["doc@example.test"]
    page = client.get("/v1/admin/users?page_size=2&page=2", headers=headers).get_json()
    assert (page["total"], len(page["items"]), page["page"]) == (3, 1, 2)
    assert client.get("/v1/admin/users?status=nonsense", headers=headers).status_code == 422


def test_a_locked_account_cannot_sign_in_until_unlocked(client, session):
    _, target, headers = _setup(client, session)
    own = login(client, target.email)
    locked = client.patch(f"/v1/admin/users/{target.id}", json={"locked": True}, headers=headers)
    assert locked.status_code == 200 and locked.get_json()["locked_at"]
    assert client.get("/v1/auth/me", headers=own).status_code == 401
    refused = client.post("/v1/auth/token", json={"email": target.email, "password": PASSWORD})
    assert refused.status_code == 401  # the same answer as a wrong password
    client.patch(f"/v1/admin/users/{target.id}", json={"locked": False}, headers=headers)
    login(client, target.email)


def test_role_and_activity_changes_are_audited_with_the_admin_as_actor(client, session):
    admin, target, headers = _setup(client, session)
    client.patch(f"/v1/admin/users/{target.id}", json={"role": "referring_physician"}, headers=headers)
    client.patch(f"/v1/admin/users/{target.id}", json={"active": False}, headers=headers)
    client.patch(f"/v1/admin/users/{target.id}", json={"active": True, "locked": True}, headers=headers)
    events = session.query(AuditEvent).order_by(AuditEvent.id).all()
    assert [(e.action, e.actor_user_id, e.entity_id) for e in events] == [
        ("account.role_referring_physician", admin.id, target.id), ("account.deactivated", admin.id, target.id),
        ("account.locked", admin.id, target.id), ("account.reactivated", admin.id, target.id)]


def test_an_admin_cannot_lock_or_demote_themselves_and_others_cannot_administer(client, session):
    admin, target, headers = _setup(client, session)
    assert client.patch(f"/v1/admin/users/{admin.id}", json={"role": "patient"}, headers=headers).status_code == 409
    assert client.get("/v1/admin/users/999999", headers=headers).status_code == 404
    assert client.get("/v1/admin/users", headers=login(client, target.email)).status_code == 403


def test_account_events_are_in_the_audit_trail_administrators_read(client, session):
    admin, target, headers = _setup(client, session)
    client.patch(f"/v1/admin/users/{target.id}", json={"locked": True}, headers=headers)
    trail = client.get("/v1/audit?action=account.locked", headers=headers).get_json()
    assert [(e["actor_user_id"], e["entity_type"], e["entity_id"], e["case_id"]) for e in trail["items"]] == [
        (admin.id, "user", target.id, None)]
