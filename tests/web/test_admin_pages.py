"""The administrator's pages in Debian's Chromium: verify a referring physician who registered through the
API, and invite a specialist to claim their profile (the claim link arrives over SMTP and works)."""
from __future__ import annotations

import re

from sqlalchemy import select

from api.models import AuditEvent, User
from tests.payments_support import reading
from tests.web.browser import check_page
from tests.web.parties import (  # noqa: F401 (fixtures)
    PASSWORD, PHYSICIAN, admin_account, api_login, mail, ok, physician_record, register_physician, sign_in,
    smtp_server,
)

CLAIMER = "hematon@penn.test"


def _csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def test_an_admin_verifies_a_physician_and_invites_a_specialist(
        page, live_server, client, session, directory, mail, admin_account, physician_record):
    register_physician(client, mail, physician_record.npi)
    physician = api_login(client, PHYSICIAN)
    assert client.get("/v1/cases", headers=physician).status_code == 403  # not verified yet

    sign_in(page, live_server, admin_account)
    page.get_by_role("link", name="Administration").click()
    page.get_by_role("heading", name="Physicians to verify").wait_for()
    row = page.locator("#pending tbody tr").filter(has_text="Dr. Ada Lovelace")
    assert physician_record.npi in row.inner_text()
    check_page(page, "31-admin-physicians")
    row.get_by_role("button", name=re.compile("Verify Dr. Ada Lovelace")).click()
    page.locator("#verified").wait_for()
    assert "Dr. Ada Lovelace is verified" in page.locator("#verified").inner_text()
    assert page.locator("#pending").inner_text() == "No physician is waiting."
    check_page(page, "32-admin-physician-verified")
    assert client.get("/v1/cases", headers=physician).status_code == 200  # may act on cases now

    expert = directory["expert"]
    page.get_by_role("link", name="Invite specialists").click()
    page.get_by_label("NPIs").fill(expert.npi)
    page.get_by_role("button", name="Send the invitations").click()
    page.locator("#skipped").wait_for()  # a directory entry that is not synthetic has no address of its own
    assert f"NPI {expert.npi}: no e-mail address" in page.locator("#skipped").inner_text()
    check_page(page, "33-admin-invite-skipped")
    page.get_by_label("E-mail addresses").fill(f"{expert.npi} {CLAIMER}")
    page.get_by_role("button", name="Send the invitations").click()
    page.get_by_text(f"NPI {expert.npi}: invited at {CLAIMER}").wait_for()
    check_page(page, "34-admin-invite-sent")

    case = ok(client.post("/v1/cases", headers=physician, json={
        "patient": {"email": "pat.case@example.test", "name": "Pat Case", "birth_date": "1980-05-17",
                    "sex": "female", "zip": "10001"},
        "conditions": [{"system": "ORPHA", "code": "520"}], "first_physician": {"diagnosis": "APL"},
        "reasons": ["rare_condition"], "insurance": {"self_pay": True}}), 201)
    page.goto(f"{live_server}/cases/{case['id']}")  # support access to a case: the reason is asked for first
    check_page(page, "35-admin-case-reason")
    page.get_by_label("Reason").fill("Support ticket 42")
    page.get_by_role("button", name="Open the case").click()
    page.locator("#timeline").wait_for()
    assert "reason=Support+ticket+42" in page.url
    check_page(page, "36-admin-case-with-reason")

    claimed = ok(client.post("/v1/accounts/specialist-claims",
                             json={"token": mail.token_for(CLAIMER), "password": PASSWORD}), 201)
    assert claimed["specialist_id"] == expert.id
    with reading(session) as s:
        admin_id = s.scalar(select(User.id).where(User.email == admin_account))
        actions = [a for (a,) in s.execute(select(AuditEvent.action).where(AuditEvent.actor_user_id == admin_id))]
    assert actions.count("account.physician_verified") == 1 and actions.count("specialist.invited") == 1
    with reading(session) as s:
        reasons = {e.reason for e in s.scalars(select(AuditEvent).where(AuditEvent.case_id == case["id"],
                                                                         AuditEvent.actor_user_id == admin_id))}
    assert reasons == {"Support ticket 42"}


def test_admin_pages_are_for_admins_and_a_bad_invitation_names_the_field(client, session, directory, admin_account):
    patient = client.get("/signin").get_data(as_text=True)
    client.post("/signin", data={"email": "pat@example.test", "password": directory["password"],
                                 "csrf_token": _csrf(patient)})
    assert client.get("/admin/physicians").status_code == 403
    client.post("/signout", data={"csrf_token": _csrf(client.get("/").get_data(as_text=True))})

    form = client.get("/signin").get_data(as_text=True)
    client.post("/signin", data={"email": admin_account, "password": PASSWORD, "csrf_token": _csrf(form)})
    page = client.get(f"/admin/specialists/invite?npi={directory['expert'].npi}").get_data(as_text=True)
    assert f">{directory['expert'].npi}</textarea>" in page  # filled in from the link
    both = client.post("/admin/specialists/invite", data={"npis": directory["expert"].npi, "state": "NY",
                                                           "csrf_token": _csrf(page)})
    html = both.get_data(as_text=True)
    assert both.status_code == 422 and 'id="npis-error"' in html and "exactly one of" in html
    state = client.post("/admin/specialists/invite", data={"state": "New York", "csrf_token": _csrf(page)})
    assert state.status_code == 422 and 'id="state-error"' in state.get_data(as_text=True)
    assert client.post("/admin/physicians/999999/verify", data={"csrf_token": _csrf(page)}).status_code == 404
