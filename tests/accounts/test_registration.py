"""Patients and referring physicians register themselves; e-mails prove the address; an admin verifies NPIs."""

from __future__ import annotations

from api.auth.standing import UNVERIFIED_EMAIL, UNVERIFIED_PHYSICIAN
from api.identifiers import make_npi
from api.models import AuditEvent, Role, User
from tests.factories import login, make_specialist, make_user

PASSWORD = "a long enough passphrase"


def register_patient(client, email="pat@example.test", **extra):
    """POST /v1/accounts/patients."""
    body = {"email": email, "password": PASSWORD, "display_name": "Pat Example", **extra}
    return client.post("/v1/accounts/patients", json=body)


def register_physician(client, npi, email="doc@example.test", first="Ada", last="Lovelace"):
    """POST /v1/accounts/physicians."""
    return client.post(
        "/v1/accounts/physicians",
        json={"email": email, "password": PASSWORD, "npi": npi, "first_name": first, "last_name": last},
    )


def test_a_patient_registers_confirms_by_the_mailed_link_and_may_then_act_on_cases(client, session, mail):
    answer = register_patient(client)
    assert answer.status_code == 202
    headers = login(client, "pat@example.test", PASSWORD)
    refused = client.get("/v1/cases", headers=headers)
    assert refused.status_code == 403 and refused.get_json()["detail"] == UNVERIFIED_EMAIL
    assert client.get("/v1/auth/me", headers=headers).get_json()["email_verified_at"] is None

    message = mail.wait_for("pat@example.test")[0]
    assert message["Subject"] == "Confirm your e-mail address"
    link = next(line for line in message.get_content().splitlines() if "token=" in line)
    assert link.startswith("http://127.0.0.1:8000/v1/accounts/email-verification?token=")
    confirmed = client.get(link.removeprefix("http://127.0.0.1:8000"))
    assert confirmed.status_code == 200 and confirmed.get_json()["email_verified_at"]
    assert client.get("/v1/cases", headers=headers).status_code == 200
    # The link works once; then it answers as an unknown one does (404).
    assert client.get(link.removeprefix("http://127.0.0.1:8000")).status_code == 404
    actions = session.query(AuditEvent.action).order_by(AuditEvent.id).all()
    assert [a for (a,) in actions] == ["account.register", "account.email_verified"]


def test_registering_a_taken_address_answers_the_same_and_tells_only_its_owner(client, session, mail):
    make_user(session, email="taken@example.test")
    session.commit()
    fresh, taken = register_patient(client, "new@example.test"), register_patient(client, "taken@example.test")
    assert (fresh.status_code, fresh.get_json()) == (taken.status_code, taken.get_json())
    assert mail.wait_for("taken@example.test")[0]["Subject"] == "You already have a SecondLook account"
    assert session.query(User).filter_by(email="taken@example.test").count() == 1


def test_a_wrong_password_length_is_a_422_problem(client):
    answer = register_patient(client, password="short")
    assert answer.status_code == 422 and "password" in answer.get_json()["errors"]["json"]


def test_a_physician_needs_a_valid_npi_with_a_directory_record_in_their_name(client, session):
    record = make_specialist(session, first_name="Ada", last_name="Lovelace")
    session.commit()
    bad_digit = record.npi[:9] + str((int(record.npi[9]) + 1) % 10)
    assert register_physician(client, bad_digit).status_code == 422
    unknown = register_physician(client, make_npi(987654321))
    assert unknown.status_code == 404 and "No NPPES or directory record" in unknown.get_json()["detail"]
    other = register_physician(client, record.npi, last="Byron")  # someone else's NPI
    assert other.status_code == 403 and "does not match" in other.get_json()["detail"]
    assert register_physician(client, record.npi, first="ada", last="LOVELACE").status_code == 202


def test_an_unverified_physician_is_told_why_until_an_admin_verifies_them(client, session, mail):
    record = make_specialist(session, first_name="Ada", last_name="Lovelace")
    admin = make_user(session, Role.ADMIN, email="admin@example.test")
    session.commit()
    assert register_physician(client, record.npi).status_code == 202
    client.post("/v1/accounts/email-verification", json={"token": mail.token_for("doc@example.test")})
    doctor = login(client, "doc@example.test", PASSWORD)
    refused = client.post("/v1/cases", json={}, headers=doctor)
    assert refused.status_code == 403 and refused.get_json()["detail"] == UNVERIFIED_PHYSICIAN

    admin_headers = login(client, admin.email)
    pending = client.get("/v1/admin/users?status=pending_physician", headers=admin_headers).get_json()
    assert [u["email"] for u in pending["items"]] == ["doc@example.test"]
    verified = client.post(f"/v1/admin/users/{pending['items'][0]['id']}/physician-verification", headers=admin_headers)
    assert verified.status_code == 200 and verified.get_json()["physician_verified_at"]
    assert client.get("/v1/cases", headers=doctor).status_code == 200
    assert client.get("/v1/admin/users?status=pending_physician", headers=admin_headers).get_json()["total"] == 0


def test_a_second_account_for_the_same_npi_is_not_made(client, session, mail):
    record = make_specialist(session, first_name="Ada", last_name="Lovelace")
    session.commit()
    first, second = register_physician(client, record.npi), register_physician(client, record.npi, "two@example.test")
    assert (first.status_code, first.get_json()) == (second.status_code, second.get_json())
    assert session.query(User).filter_by(npi=record.npi).count() == 1
    assert "already belongs" in mail.wait_for("two@example.test")[0].get_content()
