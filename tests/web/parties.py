"""The other parties of a case for the browser tests, each joining as the API lets them (no database shortcut):
a referring physician registers with the NPI of their directory record and confirms the mailed link; a
patient registers and confirms; only the administrator is made by the fixture.
"""
from __future__ import annotations

import pytest

from api.models import Role
from tests.factories import make_specialist, make_user
from tests.smtp_support import smtp_config, smtp_server  # noqa: F401 (the fixture)

PASSWORD = "a long enough passphrase"
ADMIN = "admin@example.test"
PHYSICIAN = "ada.lovelace@clinic.test"
PATIENT = "pat.case@example.test"


@pytest.fixture
def mail(app, smtp_server):  # noqa: F811 (the fixture imported above)
    """Every message the app sends goes to a real SMTP server on loopback."""
    app.config.update(smtp_config(smtp_server))
    app.extensions["mail_transport"] = None
    return smtp_server


@pytest.fixture
def admin_account(session):
    """The administrator (the one account the fixture makes), with PASSWORD."""
    make_user(session, Role.ADMIN, email=ADMIN, display_name="Alex Admin", password=PASSWORD)
    session.commit()
    return ADMIN


@pytest.fixture
def physician_record(session):
    """The referring physician's own directory record (a family physician: never a match for the case)."""
    record = make_specialist(session, specialty="207Q00000X", first_name="Ada", last_name="Lovelace")
    session.commit()
    return record


def ok(response, status=200) -> dict:
    """The JSON of an answer that must have `status`."""
    assert response.status_code == status, (response.status_code, response.get_data(as_text=True))
    return response.get_json()


def api_login(client, email: str) -> dict:
    """Bearer headers for the account."""
    token = ok(client.post("/v1/auth/token", json={"email": email, "password": PASSWORD}), 201)["access_token"]
    return {"Authorization": f"Bearer {token}"}


def register_physician(client, mail, npi: str) -> None:
    """Ada Lovelace registers with her NPI (POST /v1/accounts/physicians) and confirms by the mailed link."""
    ok(client.post("/v1/accounts/physicians", json={"email": PHYSICIAN, "password": PASSWORD, "npi": npi,
                                                   "first_name": "Ada", "last_name": "Lovelace",
                                                   "display_name": "Dr. Ada Lovelace"}), 202)
    ok(client.post("/v1/accounts/email-verification", json={"token": mail.token_for(PHYSICIAN)}))


def register_patient(client, mail) -> dict:
    """A patient registers and confirms; their bearer headers."""
    ok(client.post("/v1/accounts/patients", json={"email": PATIENT, "password": PASSWORD,
                                                  "display_name": "Pat Case"}), 202)
    ok(client.post("/v1/accounts/email-verification", json={"token": mail.token_for(PATIENT)}))
    return api_login(client, PATIENT)


def sign_in(page, base: str, email: str, then: str = "/") -> None:
    """Sign in through the page, landing on `then`."""
    page.goto(f"{base}/signin?next={then}")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def sign_out(page) -> None:
    """Sign out from the header."""
    page.get_by_role("button", name="Sign out").click()
    page.get_by_role("link", name="Sign in").wait_for()
