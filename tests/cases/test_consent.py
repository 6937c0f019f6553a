"""Consent before a case is shared: a physician's case waits for the invited patient to accept it."""
from datetime import timedelta

import pytest

from api.db import utcnow
from api.models import Role
from tests.cases.factories import bearer, case_body, make_account

MARKERS = ("Acute promyelocytic leukemia", "ATRA plus chemotherapy", "worried about the marrow result")


@pytest.fixture
def people(session):
    """A patient with an account, another patient, a referring physician and their logins."""
    patient, other = make_account(session, Role.PATIENT), make_account(session, Role.PATIENT)
    referrer = make_account(session, Role.REFERRING_PHYSICIAN)
    world = dict(patient=patient, as_patient=bearer(session, patient), as_other=bearer(session, other),
                 as_referrer=bearer(session, referrer))
    session.commit()
    return world


def _invite(client, people, email):
    body = case_body(patient={"email": email, "name": "Pat Example", "birth_date": "1980-05-17", "sex": "female",
                              "zip": "10001"}, reason_note=MARKERS[2])
    made = client.post("/v1/cases", json=body, headers=people["as_referrer"])
    assert made.status_code == 201, made.get_json()
    return made.get_json()


def test_known_and_unknown_addresses_get_the_same_answer_and_the_same_message(client, people, mailbox):
    known = _invite(client, people, people["patient"].email)
    unknown = _invite(client, people, "nobody-here@cases.test")

    def shape(case):
        return {**case, "id": None, "created_at": None, "invitation": {**case["invitation"], "email": None,
                                                                          "expires_at": None}}
    assert shape(known) == shape(unknown)
    assert known["status"] == "invited" and known["patient"]["user_id"] is None
    assert [to for to, _, _ in mailbox.sent] == [people["patient"].email, "nobody-here@cases.test"]
    (_, subject_1, body_1), (_, subject_2, body_2) = mailbox.sent
    assert subject_1 == subject_2
    assert body_1.replace(mailbox.token(0), "T") == body_2.replace(mailbox.token(1), "T")


def test_the_case_is_shared_only_once_the_invited_patient_accepts(client, people, mailbox):
    case = _invite(client, people, people["patient"].email.upper())
    cid = case["id"]
    assert client.get(f"/v1/cases/{cid}", headers=people["as_patient"]).status_code == 404
    assert client.get("/v1/cases", headers=people["as_patient"]).get_json()["items"] == []
    refused = client.post(f"/v1/cases/{cid}/referrals", json={"specialist_ids": [1]}, headers=people["as_referrer"])
    assert refused.status_code == 409 and "accepted" in refused.get_json()["detail"]

    accepted = client.post("/v1/case-invitations/accept", json={"token": mailbox.token(0)},
                           headers=people["as_patient"])
    assert accepted.status_code == 200, accepted.get_json()
    assert accepted.get_json()["patient"]["user_id"] == people["patient"].id
    assert client.get(f"/v1/cases/{cid}", headers=people["as_patient"]).status_code == 200
    seen = client.get(f"/v1/cases/{cid}", headers=people["as_referrer"]).get_json()
    assert seen["status"] == "open" and seen["invitation"]["status"] == "accepted"
    again = client.post("/v1/case-invitations/accept", json={"token": mailbox.token(0)},
                        headers=people["as_patient"])
    assert again.status_code == 200 and again.get_json()["id"] == cid


def test_a_token_works_only_for_the_invited_address(client, people, mailbox):
    _invite(client, people, people["patient"].email)
    token = mailbox.token(0)
    other = client.post("/v1/case-invitations/accept", json={"token": token}, headers=people["as_other"])
    forged = client.post("/v1/case-invitations/accept", json={"token": "x" * 43}, headers=people["as_patient"])
    assert other.status_code == forged.status_code == 404
    assert other.get_json()["detail"] == forged.get_json()["detail"]
    referrer = client.post("/v1/case-invitations/accept", json={"token": token}, headers=people["as_referrer"])
    assert referrer.status_code == 403


def test_the_invitation_mail_carries_no_health_data(client, people, mailbox):
    _invite(client, people, people["patient"].email)
    (_, subject, body), = mailbox.sent
    assert "/v1/case-invitations/accept?token=" in body
    text = (subject + body.replace(mailbox.token(0), "")).lower()  # a random token may spell anything
    assert not any(marker.lower() in text for marker in MARKERS + ("ORPHA", "520"))


def test_an_expired_invitation_answers_like_an_unknown_one(client, people, mailbox, monkeypatch):
    _invite(client, people, people["patient"].email)
    later = utcnow() + timedelta(days=15)
    monkeypatch.setattr("api.cases.consent.utcnow", lambda: later)
    expired = client.post("/v1/case-invitations/accept", json={"token": mailbox.token(0)},
                          headers=people["as_patient"])
    assert expired.status_code == 404 and "expired" in expired.get_json()["detail"]
