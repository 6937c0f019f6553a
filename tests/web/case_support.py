"""Preconditions of the case pages' tests, made through the app's own flows: the physician's case and
referrals, the administrator's invitations and the other parties' steps are HTTP calls to /v1 with
bearer tokens, and every link comes from a message the SMTP server on loopback received.

Only the directory and the physician's and administrator's accounts are written directly, as the
other tests' factories do.
"""
from __future__ import annotations

import io
import re

import pytest

from api.models import Role
from tests.cases.factories import PDF, case_body
from tests.factories import PASSWORD, login, make_institution, make_specialist, make_user
from tests.web.conftest import APL, HEMONC

PATIENT = "pat@case.test"


def ok(response, status=200):
    """The JSON of an answer with the expected status."""
    assert response.status_code == status, (response.status_code, response.get_data(as_text=True)[:500])
    return response.get_json()


def page_link(mail, address: str, path: str, count: int = 1) -> str:
    """The page link (`path` + token) of the newest message to `address` that has one, as a person opens it."""
    link = re.compile(rf"https?://\S+{re.escape(path)}[A-Za-z0-9_\-]+")
    found = (link.search(m.get_content()) for m in reversed(mail.wait_for(address, count)))
    return next(f for f in found if f).group(0)


def local(link: str) -> str:
    """The path of a link (for the test client)."""
    return "/" + link.split("://", 1)[1].split("/", 1)[1]


@pytest.fixture
def clinic(app, session, mail, records, live_server):
    """Three APL experts at three institutions, a verified referring physician and an administrator.

    Links in messages start with the live server's address, so the browser can open them as they are.
    """
    app.config["PUBLIC_BASE_URL"] = live_server
    experts = [make_specialist(session, specialty=HEMONC, conditions=[(*APL, cases)], telehealth=True,
                               institution=make_institution(session, f"Centre {name}"), first_name=first,
                               last_name=name, data_source="manual", self_pay_price_cents=45_000)
               for first, name, cases in (("Grace", "Hopper", 90), ("Barbara", "Liskov", 80), ("Frances", "Allen", 10))]
    physician = make_user(session, Role.REFERRING_PHYSICIAN, email="doc@case.test", display_name="Dr. Ada Lovelace")
    make_user(session, Role.ADMIN, email="admin@case.test", display_name="Admin")
    session.commit()
    return {"experts": experts, "physician": physician, "password": PASSWORD}


def as_user(client, email: str) -> dict:
    """Bearer headers for an account with the tests' password."""
    return login(client, email, PASSWORD)


def start_case(client, urgency: str = "soon", patient: str = PATIENT) -> int:
    """The physician starts a case for `patient` (invited by e-mail) and adds a pathology report to it later."""
    body = case_body(urgency=urgency, patient={**case_body()["patient"], "email": patient})
    case = ok(client.post("/v1/cases", json=body, headers=as_user(client, "doc@case.test")), 201)
    assert case["status"] == "invited"
    return case["id"]


def add_report(client, case_id: int) -> int:
    """The physician uploads a pathology report (a real PDF) to the accepted case."""
    return ok(client.post(f"/v1/cases/{case_id}/records", headers=as_user(client, "doc@case.test"),
                          content_type="multipart/form-data",
                          data={"kind": "pathology_report", "file": (io.BytesIO(PDF), "pathology.pdf")}), 201)["id"]


def refer(client, case_id: int, *specialists) -> list[int]:
    """The physician refers the case to each specialist; the referral ids."""
    sent = ok(client.post(f"/v1/cases/{case_id}/referrals", headers=as_user(client, "doc@case.test"),
                          json={"specialist_ids": [s.id for s in specialists]}), 201)
    return [r["id"] for r in sent]


def invite(client, specialist, address: str) -> None:
    """The administrator invites a specialist to claim the profile, at `address`."""
    report = ok(client.post("/v1/admin/specialist-invitations", headers=as_user(client, "admin@case.test"),
                            json={"npis": [specialist.npi], "contacts": [{"npi": specialist.npi, "email": address}]}), 202)
    assert report["invited"][0]["email"] == address


def claim_by_api(client, mail, specialist, address: str) -> dict:
    """A specialist invited and claiming through the API (token from the mailed link); their bearer headers."""
    invite(client, specialist, address)
    ok(client.post("/v1/accounts/specialist-claims", json={"token": mail.token_for(address), "password": PASSWORD}), 201)
    return as_user(client, address)


def patient_by_api(client, mail, address: str = PATIENT) -> dict:
    """The invited patient registers, confirms and accepts the case through the API; their bearer headers."""
    ok(client.post("/v1/accounts/patients", json={"email": address, "password": PASSWORD, "display_name": "Pat"}), 202)
    ok(client.post("/v1/accounts/email-verification", json={"token": mail.token_for(address, count=2)}))
    headers = as_user(client, address)
    accept_case(client, mail, headers, address)
    return headers


def accept_case(client, mail, headers: dict, address: str = PATIENT, count: int = 1) -> None:
    """The patient accepts the newest case invitation (among `count` messages) through the API."""
    token = page_link(mail, address, "/invitations/", count).rsplit("/", 1)[1]
    ok(client.post("/v1/case-invitations/accept", json={"token": token}, headers=headers))
