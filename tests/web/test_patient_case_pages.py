"""The case pages through the test client: sign-up's one answer, standing, parties only, the emergent warning first."""
from __future__ import annotations

import re

import pytest

from tests.web.case_support import PATIENT, add_report, as_user, clinic, local, ok, page_link, refer, start_case  # noqa: F401
from tests.factories import make_user
from tests.web.test_pages import _csrf


def _sign_up(client, email: str, password: str = "a long enough passphrase", next_: str = ""):
    form = _csrf(client.get("/signup").get_data(as_text=True))
    return client.post("/signup", data={"csrf_token": form, "display_name": "Pat Case", "email": email,
                                        "password": password, "next": next_})


def _sign_in(client, email: str, password: str = "a long enough passphrase") -> None:
    form = _csrf(client.get("/signin").get_data(as_text=True))
    assert client.post("/signin", data={"csrf_token": form, "email": email, "password": password}).status_code == 302


def _accepted_case(client, mail, urgency="soon") -> int:
    """A case the patient (signed up and confirmed through the pages) has accepted through the page."""
    case_id = start_case(client, urgency)
    assert _sign_up(client, PATIENT).status_code == 302
    confirm = local(page_link(mail, PATIENT, "/signup/confirm/", count=2))
    page = client.get(confirm).get_data(as_text=True)
    assert client.post(confirm, data={"csrf_token": _csrf(page)}).status_code == 200
    _sign_in(client, PATIENT)
    invitation = local(page_link(mail, PATIENT, "/invitations/"))
    accepted = client.post(invitation, data={"csrf_token": _csrf(client.get(invitation).get_data(as_text=True))})
    assert accepted.status_code == 302 and accepted.headers["Location"] == f"/cases/{case_id}/release"
    return case_id


def test_sign_up_answers_alike_for_a_taken_address_and_mails_the_owner(client, clinic, mail):
    first, again = _sign_up(client, "pat@signup.test"), _sign_up(client, "pat@signup.test")
    assert (first.status_code, first.headers["Location"]) == (again.status_code, again.headers["Location"]) \
        == (302, "/signup/sent")
    (confirm, taken) = mail.wait_for("pat@signup.test", 2)
    assert "/signup/confirm/" in confirm.get_content() and "/v1/accounts/email-verification?token=" in confirm.get_content()
    assert "already has an account" in taken.get_content()


def test_a_short_password_is_a_422_page_naming_the_field(client, clinic):
    page = _sign_up(client, "short@signup.test", password="short")
    assert page.status_code == 422 and 'id="password-error"' in page.get_data(as_text=True)


def test_an_unconfirmed_patient_cannot_accept_a_case(client, clinic, mail):
    start_case(client)
    _sign_up(client, PATIENT)
    _sign_in(client, PATIENT)
    invitation = local(page_link(mail, PATIENT, "/invitations/"))
    refused = client.post(invitation, data={"csrf_token": _csrf(client.get(invitation).get_data(as_text=True))})
    assert refused.status_code == 403 and "Confirm your e-mail address first" in refused.get_data(as_text=True)


@pytest.mark.parametrize("path", ["release", "opinions", "decision"])
def test_every_page_of_an_emergent_case_warns_first(client, clinic, mail, path):
    case_id = _accepted_case(client, mail, urgency="emergent")
    html = client.get(f"/cases/{case_id}/{path}").get_data(as_text=True)
    main = html[html.index('<main id="main"'):]
    assert re.search(r'<main[^>]*>\s*<div class="alert urgent" role="alert">\s*<h2>Do not delay care</h2>', main)
    assert "911" in main


def test_another_patients_case_is_not_found_and_a_dead_claim_link_is_a_404_page(client, clinic, mail, session):
    case_id = _accepted_case(client, mail)
    client.post("/signout", data={"csrf_token": _csrf(client.get("/").get_data(as_text=True))})
    make_user(session, email="other@case.test", password="a long enough passphrase")
    session.commit()
    _sign_in(client, "other@case.test")
    for path in ("release", "opinions", "decision"):
        assert client.get(f"/cases/{case_id}/{path}").status_code == 404
    assert client.get("/claim/" + "x" * 43).status_code == 404


def test_releasing_needs_a_referred_specialist_and_a_future_day(client, clinic, mail):
    case_id = _accepted_case(client, mail)
    expert = clinic["experts"][0]
    page = client.get(f"/cases/{case_id}/release").get_data(as_text=True)
    assert "has not been sent to a specialist yet" in page
    add_report(client, case_id)
    refer(client, case_id, expert)
    page = client.get(f"/cases/{case_id}/release").get_data(as_text=True)
    past = client.post(f"/cases/{case_id}/release", data={"csrf_token": _csrf(page), "specialist_id": expert.id,
                                                          "scope": "all", "until": "2001-01-01"})
    assert past.status_code == 422 and "must expire in the future" in past.get_data(as_text=True)
    granted = client.post(f"/cases/{case_id}/release", data={"csrf_token": _csrf(page), "specialist_id": expert.id,
                                                             "scope": "pathology_report", "until": "2099-01-01"})
    assert granted.status_code == 302
    grants = ok(client.get(f"/v1/cases/{case_id}/authorizations", headers=as_user(client, "doc@case.test")))
    assert [(g["scope"], g["live"]) for g in grants] == [(["pathology_report"], True)]


def test_the_referring_physician_reads_the_opinions_page_but_decides_nothing(client, clinic, mail):
    case_id = _accepted_case(client, mail)
    client.post("/signout", data={"csrf_token": _csrf(client.get("/").get_data(as_text=True))})
    _sign_in(client, "doc@case.test", clinic["password"])
    page = client.get(f"/cases/{case_id}/opinions")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "No opinion has been delivered yet" in html
    assert "Your decision" not in html and "Records release" not in html
    assert client.get(f"/cases/{case_id}/decision").status_code == 403
