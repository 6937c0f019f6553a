"""Specialists claim their directory profile through an invitation an administrator sends."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import IntegrityError

from api.models import AuditEvent, Role, User
from tests.factories import login, make_institution, make_specialist, make_user

PASSWORD = "a long enough passphrase"


def _admin(client, session):
    admin = make_user(session, Role.ADMIN, email="admin@example.test")
    session.commit()
    return login(client, admin.email)


def test_an_invited_synthetic_specialist_claims_the_profile_from_the_mailed_link(client, session, mail):
    specialist = make_specialist(session, data_source="synthetic", first_name="Grace", last_name="Hopper")
    headers = _admin(client, session)
    report = client.post("/v1/admin/specialist-invitations", json={"npis": [specialist.npi]}, headers=headers)
    assert report.status_code == 202
    address = f"npi-{specialist.npi}@specialists.secondlook.test"
    assert report.get_json() == {
        "invited": [{"npi": specialist.npi, "specialist_id": specialist.id, "email": address}],
        "skipped": [],
    }
    token = mail.token_for(address)
    preview = client.get(f"/v1/accounts/specialist-claims?token={token}").get_json()
    assert (preview["specialist_id"], preview["display_name"], preview["email"]) == (
        specialist.id,
        "Dr. Grace Hopper",
        address,
    )
    claimed = client.post("/v1/accounts/specialist-claims", json={"token": token, "password": PASSWORD})
    assert claimed.status_code == 201
    assert claimed.get_json()["specialist_id"] == specialist.id and claimed.get_json()["role"] == "specialist"
    me = client.get("/v1/auth/me", headers=login(client, address, PASSWORD)).get_json()
    assert me["specialist_id"] == specialist.id and me["display_name"] == "Dr. Grace Hopper"
    # The link works once (then it is as unknown as any other: 404), and the profile cannot be claimed twice.
    assert client.post("/v1/accounts/specialist-claims", json={"token": token, "password": PASSWORD}).status_code == 404
    again = client.post("/v1/admin/specialist-invitations", json={"npis": [specialist.npi]}, headers=headers)
    assert again.get_json()["skipped"] == [{"npi": specialist.npi, "specialist_id": specialist.id, "reason": "claimed"}]
    actions = [a for (a,) in session.query(AuditEvent.action).order_by(AuditEvent.id)]
    assert actions == ["specialist.invited", "specialist.claimed"]


def test_a_set_by_institution_or_state_is_invited_and_real_specialists_need_an_address(client, session, mail):
    home = make_institution(session, "Mayo Synthetic")
    synthetic = make_specialist(session, data_source="synthetic", institution=home)
    real = make_specialist(session, data_source="nppes", institution=home)
    elsewhere = make_specialist(session, data_source="synthetic")
    headers = _admin(client, session)
    by_institution = client.post(
        "/v1/admin/specialist-invitations", headers=headers, json={"institution_id": home.id}
    ).get_json()
    assert [i["specialist_id"] for i in by_institution["invited"]] == [synthetic.id]
    assert by_institution["skipped"] == [{"npi": real.npi, "specialist_id": real.id, "reason": "no_contact"}]
    with_address = client.post(
        "/v1/admin/specialist-invitations",
        headers=headers,
        json={"institution_id": home.id, "contacts": [{"npi": real.npi, "email": "Real.Doc@Hospital.test"}]},
    ).get_json()
    assert {i["email"] for i in with_address["invited"]} == {
        f"npi-{synthetic.npi}@specialists.secondlook.test",
        "real.doc@hospital.test",
    }
    mail.wait_for("real.doc@hospital.test")
    by_state = client.post("/v1/admin/specialist-invitations", headers=headers, json={"state": "NY"}).get_json()
    assert elsewhere.id in {i["specialist_id"] for i in by_state["invited"]}


def test_an_invitation_needs_exactly_one_selector_and_the_admin_role(client, session):
    patient = make_user(session, email="p@example.test")
    headers = _admin(client, session)
    both = client.post("/v1/admin/specialist-invitations", headers=headers, json={"state": "NY", "institution_id": 1})
    assert both.status_code == 422
    assert (
        client.post(
            "/v1/admin/specialist-invitations", json={"state": "NY"}, headers=login(client, patient.email)
        ).status_code
        == 403
    )


def test_an_unknown_npi_is_reported_not_invited(client, session):
    headers = _admin(client, session)
    answer = client.post("/v1/admin/specialist-invitations", headers=headers, json={"npis": ["1234567893"]})
    assert answer.get_json() == {
        "invited": [],
        "skipped": [{"npi": "1234567893", "specialist_id": None, "reason": "not_in_directory"}],
    }
    assert session.query(User).count() == 1


def test_the_database_holds_at_most_one_account_per_directory_entry(session):
    """Two claims racing past the service's check still cannot both land: the second insert is refused."""
    specialist = make_specialist(session)
    session.flush()
    make_user(session, Role.SPECIALIST, email="first@example.test", specialist_id=specialist.id)
    session.commit()
    make_user(session, Role.SPECIALIST, email="second@example.test", specialist_id=specialist.id)
    with pytest.raises(IntegrityError):
        session.commit()
    session.rollback()
    assert session.query(User).filter(User.specialist_id == specialist.id).count() == 1


def test_a_referral_to_a_specialist_without_an_account_invites_them_once_and_they_can_act(client, session, mail):
    """Every specialist a case is sent to can take their step: the first referral mails a claim link
    (saying only that a case waits), a second referral while it is live mails nothing, and after the
    claim the referral is in their inbox."""
    from tests.cases.factories import bearer, make_account, make_case

    specialist = make_specialist(session, data_source="synthetic", first_name="Ada", last_name="Lovelace")
    referrer = make_account(session, Role.REFERRING_PHYSICIAN)
    cases = [make_case(session, creator=referrer, patient=make_account(session, Role.PATIENT)) for _ in range(2)]
    headers = bearer(session, referrer)
    session.commit()
    address = f"npi-{specialist.npi}@specialists.secondlook.test"
    for case in cases:
        sent = client.post(f"/v1/cases/{case.id}/referrals", headers=headers, json={"specialist_ids": [specialist.id]})
        assert sent.status_code == 201, sent.get_json()
    [message] = mail.wait_for(address)
    text = message.get_content()
    assert "referred a case to you" in text and "Pat Example" not in text and "520" not in text
    token = mail.token_for(address)
    assert client.post("/v1/accounts/specialist-claims", json={"token": token, "password": PASSWORD}).status_code == 201
    inbox = client.get("/v1/inbox", headers=login(client, address, PASSWORD))
    assert inbox.status_code == 200 and len(inbox.get_json()["items"]) == 2
    assert len(mail.wait_for(address)) == 1  # the second referral found the first invitation live


def test_a_referral_to_a_specialist_with_an_account_or_no_address_invites_nobody(client, session, mail):
    from tests.cases.factories import bearer, make_account, make_case

    claimed = make_specialist(session, data_source="synthetic")
    real = make_specialist(session, data_source="nppes")
    session.flush()
    make_account(session, Role.SPECIALIST, specialist=claimed)
    referrer = make_account(session, Role.REFERRING_PHYSICIAN)
    case = make_case(session, creator=referrer, patient=make_account(session, Role.PATIENT))
    headers = bearer(session, referrer)
    session.commit()
    sent = client.post(f"/v1/cases/{case.id}/referrals", headers=headers,
                       json={"specialist_ids": [claimed.id, real.id]})
    assert sent.status_code == 201, sent.get_json()
    invited = [a for (a,) in session.query(AuditEvent.action).filter(AuditEvent.action == "specialist.invited")]
    assert invited == []
