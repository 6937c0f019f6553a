"""The referring physician's journey in Debian's Chromium, with no demo account and no database shortcut: they
sign up on the page with their NPI (a wrong check digit is refused on its field), confirm the address from the
mailed link, wait while their NPI is unverified, and an administrator verifies them on the administration page
in a browser of their own. Then they start a case in their own words (its patient invited by e-mail), match it,
refer it, and follow its timeline as the patient accepts and the specialist accepts; the specialist and the
patient read the same case page, each read authorised and audited as the API's."""
from __future__ import annotations

import re

from sqlalchemy import select

from api.auth.standing import UNVERIFIED_PHYSICIAN
from api.models import AuditEvent, Case, CaseStatus, User
from tests.payments_support import reading
from tests.web.browser import check_page
from tests.web.case_support import page_link
from tests.web.parties import (  # noqa: F401 (fixtures)
    ADMIN, PASSWORD, PATIENT, PHYSICIAN, admin_account, api_login, mail, ok, physician_record, register_patient,
    sign_in, sign_out, smtp_server,
)

EXPERT = "Dr. Ada Hematon, MD"


def _steps(page) -> list[str]:
    return page.eval_on_selector_all("#timeline li", "items => items.map(li => li.dataset.step)")


def _start_case(page, plan_name: str) -> None:
    """Fill the "start a case" form the way a physician would, in their own words."""
    page.get_by_label("Patient's name").fill("Pat Case")
    page.get_by_label("Patient's e-mail, for the invitation").fill(PATIENT)
    page.get_by_label("Date of birth").fill("1980-05-17")
    page.get_by_label("Sex").select_option("female")
    page.get_by_label("Patient's ZIP code").fill("10001")
    page.get_by_label("Condition, in your own words").fill("promyelocytic leukemia")
    page.get_by_label("What the first physician found").fill("APL on marrow biopsy")
    page.get_by_label("A rare condition").check()
    page.get_by_label("Soon (within a week or two)").check()
    page.get_by_label("Patient's insurance plan").select_option(label=plan_name)
    page.get_by_label("Member id on the card").fill("XZ123456789")
    page.get_by_role("button", name="Start the case and invite the patient").click()


def _sign_up(page, base: str, mail, npi: str) -> None:
    """From the header's "Sign up", the physician's form; a mistyped NPI first, then theirs; then the mailed link."""
    page.goto(base + "/")
    page.get_by_role("link", name="Sign up").click()
    page.get_by_role("link", name="Create a referring physician account").click()
    page.get_by_role("heading", name="Create your referring physician account").wait_for()
    page.get_by_label("First name").fill("Ada")
    page.get_by_label("Last name").fill("Lovelace")
    page.get_by_label("E-mail").fill(PHYSICIAN)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("NPI").fill(npi[:-1] + str((int(npi[-1]) + 1) % 10))  # one digit off: the check digit fails
    page.get_by_role("button", name="Create my account").click()
    assert "CMS check digit" in page.locator("#npi-error").inner_text()
    assert page.get_by_label("NPI").get_attribute("aria-invalid") == "true"
    check_page(page, "19a-physician-sign-up-bad-npi")
    page.get_by_label("Password").fill(PASSWORD)  # never sent back to the page
    page.get_by_label("NPI").fill(npi)
    page.get_by_role("button", name="Create my account").click()
    page.get_by_role("heading", name="Check your e-mail").wait_for()
    check_page(page, "19b-physician-sign-up-sent")
    page.goto(page_link(mail, PHYSICIAN, "/signup/confirm/"))
    page.get_by_role("button", name="Confirm my address").click()
    page.get_by_role("heading", name="Your address is confirmed").wait_for()
    page.get_by_role("link", name="Sign in to continue").click()
    page.get_by_label("E-mail").fill(PHYSICIAN)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def _admin_verifies(page, base: str, npi: str) -> None:
    """The administrator, in a browser of their own, verifies the physician on the administration page."""
    sign_in(page, base, ADMIN, "/admin")
    page.get_by_role("heading", name="Physicians to verify").wait_for()
    check_page(page, "20b-admin-physicians-pending")
    page.get_by_role("button", name=f"Verify Dr. Ada Lovelace, NPI {npi}").click()
    assert "Dr. Ada Lovelace is verified" in page.locator("#verified").inner_text()
    assert page.locator("#pending").inner_text() == "No physician is waiting."


def _claim_expert(client, mail, admin, expert) -> dict:
    """The administrator invites the expert (API), who claims the profile from the mailed link."""
    address = "hematon@penn.test"
    ok(client.post("/v1/admin/specialist-invitations", headers=admin,
                   json={"contacts": [{"npi": expert.npi, "email": address}]}), 202)
    ok(client.post("/v1/accounts/specialist-claims", json={"token": mail.token_for(address), "password": PASSWORD}), 201)
    return {"email": address, "headers": api_login(client, address)}


def test_a_physician_signs_up_is_verified_starts_matches_refers_and_follows_the_case(
        app, page, second_page, live_server, client, session, directory, mail, admin_account, physician_record):
    app.config["PUBLIC_BASE_URL"] = live_server  # the mailed links open on the live server
    patient = register_patient(client, mail)
    _sign_up(page, live_server, mail, physician_record.npi)

    page.get_by_role("heading", name="Your account is awaiting verification").wait_for()  # landed on /cases/new
    assert page.get_by_role("main").inner_text().count(UNVERIFIED_PHYSICIAN) == 1  # not verified yet: told why
    check_page(page, "20-physician-not-verified")
    _admin_verifies(second_page, live_server, physician_record.npi)
    check_page(second_page, "20c-admin-physician-verified")

    page.reload()
    page.get_by_role("heading", name="Start a case").wait_for()
    page.get_by_role("link", name="My cases").click()
    page.get_by_role("heading", name="My cases").wait_for()
    check_page(page, "21-my-cases-empty")
    page.get_by_role("link", name="Start a case").click()
    check_page(page, "22-start-case")
    _start_case(page, directory["plan"].name)
    readings = page.get_by_role("group", name="Which condition did you mean?")
    readings.wait_for()  # our reading of their words, to confirm before it goes into the case
    assert readings.get_by_role("radio").first.is_checked()
    check_page(page, "23-start-case-read-back")
    page.get_by_label("Acute promyelocytic leukemia (ORPHA:520)").check()  # the Orphanet entry
    page.get_by_role("button", name="Start the case and invite the patient").click()

    page.get_by_role("heading", name=re.compile(r"Case #\d+: Pat Case")).wait_for()
    case_id = int(re.search(r"/cases/(\d+)$", page.url).group(1))
    assert page.get_by_test_id("case-status").inner_text() == "invited"
    assert f"Waiting for {PATIENT} to accept" in page.get_by_test_id("invitation").inner_text()
    assert _steps(page) == ["created"]
    check_page(page, "24-case-invited")

    # The patient accepts from the invitation e-mail (their own page is another part of the app).
    accepted = ok(client.post("/v1/case-invitations/accept", headers=patient,
                              json={"token": mail.token_for(PATIENT, count=2)}))
    assert accepted["status"] == "open"
    page.reload()
    assert _steps(page) == ["created", "patient_accepted"]

    page.get_by_role("link", name="Find specialists and refer").click()
    page.get_by_role("heading", name=re.compile("Specialists for case")).wait_for()
    page.reload()  # reading the page again matches nothing...
    page.get_by_role("link", name="Back to the case").click()
    page.locator("#timeline").wait_for()
    assert _steps(page) == ["created", "patient_accepted"]
    page.go_back()
    check_page(page, "25a-case-match-button")
    page.get_by_role("button", name="Find specialists").click()  # ...its button does
    card = page.locator("ol.results li.card").filter(has_text=EXPERT)
    assert "Coverage: covered." in card.inner_text() and "treats ORPHA:520" in card.inner_text()
    check_page(page, "25-case-match")
    # By keyboard alone: pick the expert, write the note, send.
    page.get_by_label(f"Refer the case to {EXPERT}").focus()
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    page.keyboard.type("Please review before induction.")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.locator("#timeline").wait_for()
    assert _steps(page) == ["created", "patient_accepted", "matched", "referred"]
    assert page.locator("#referrals li[data-status=requested]").filter(has_text="Dr. Ada Hematon").count() == 1
    sign_out(page)

    # The referred specialist reads the case page (not its timeline, which the API keeps from them too).
    specialist = _claim_expert(client, mail, api_login(client, admin_account), directory["expert"])
    sign_in(page, live_server, specialist["email"], f"/cases/{case_id}")
    page.get_by_role("heading", name=re.compile(f"Case #{case_id}")).wait_for()
    assert page.locator("#timeline").count() == 0 and "timeline is for the patient" in page.inner_text("main")
    check_page(page, "26-case-specialist")
    referral_id = ok(client.get(f"/v1/cases/{case_id}/referrals", headers=specialist["headers"]))[0]["id"]
    ok(client.get(f"/v1/referrals/{referral_id}", headers=specialist["headers"]))
    ok(client.post(f"/v1/referrals/{referral_id}/transitions", headers=specialist["headers"], json={"action": "accept"}))
    sign_out(page)

    sign_in(page, live_server, PHYSICIAN, f"/cases/{case_id}")
    page.locator("#timeline").wait_for()
    assert _steps(page) == ["created", "patient_accepted", "matched", "referred", "referral_accepted"]
    assert "Dr. Ada Hematon, MD accepted the referral" in page.inner_text("#timeline")
    check_page(page, "27-case-timeline")
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390  # nothing wider than the phone
    check_page(page, "28-case-timeline-phone")
    sign_out(page)

    sign_in(page, live_server, PATIENT, "/cases")
    check_page(page, "29a-my-cases-patient")
    page.get_by_role("link", name=re.compile(f"Case #{case_id}")).click()
    page.locator("#timeline").wait_for()
    assert _steps(page)[-1] == "referral_accepted"
    check_page(page, "29-case-patient")

    with reading(session) as s:
        assert s.get(Case, case_id).status is CaseStatus.OPEN
        assert [r.note for r in s.get(Case, case_id).referrals] == ["Please review before induction."]
        users = {u.email: u.id for u in s.scalars(select(User))}
        assert s.get(User, users[PHYSICIAN]).npi == physician_record.npi
        audited = {(e.actor_user_id, e.action) for e in s.scalars(select(AuditEvent).where(AuditEvent.case_id == case_id))}
    physician, expert, owner = users[PHYSICIAN], users[specialist["email"]], users[PATIENT]
    assert {(physician, a) for a in ("case.create", "case.read", "timeline.read", "case.match", "referral.create",
                                     "referral.list")} <= audited
    assert (expert, "case.read") in audited and (expert, "timeline.read") not in audited
    assert {(owner, "case.read"), (owner, "timeline.read"), (owner, "case.list")} <= audited
