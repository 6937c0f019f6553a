"""The specialist's journey in Debian's Chromium, on a phone: claim the profile from the mailed invitation,
the inbox (emergent first), decline one referral with a reason, accept the other, read the records once
the patient releases them, and write the opinion (a bad trial id is sent back to be fixed).

The physician, the patient and the administrator act through /v1; every page passes axe-core and is no
wider than the phone.
"""
from __future__ import annotations

import re

from tests.cases.factories import PDF
from tests.web.browser import check_page
from tests.web.case_support import (  # noqa: F401  (clinic: the fixture)
    accept_case, add_report, clinic, invite, ok, page_link, patient_by_api, refer, start_case,
)

PASSWORD = "a long enough passphrase"
PHONE = {"width": 390, "height": 844}
SPECIALIST = "hopper@centre.test"


def _fits(page) -> None:
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"], page.url


def test_a_specialist_claims_triages_declines_accepts_reads_and_answers(page, live_server, client, clinic, mail):
    expert = clinic["experts"][0]
    routine = start_case(client, "routine")
    patient = patient_by_api(client, mail)
    emergent = start_case(client, "emergent")
    accept_case(client, mail, patient, count=3)  # the first invitation, the confirmation, the second invitation
    add_report(client, emergent)
    (declined,), (accepted,) = refer(client, routine, expert), refer(client, emergent, expert)
    invite(client, expert, SPECIALIST)

    page.set_viewport_size(PHONE)
    page.goto(page_link(mail, SPECIALIST, "/claim/"))
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("Password").press("Enter")  # the keyboard alone submits the form
    page.get_by_role("heading", name="Your profile is yours").wait_for()
    page.get_by_role("link", name="Sign in").last.click()
    page.get_by_label("E-mail").fill(SPECIALIST)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    page.get_by_role("heading", name="Referrals sent to you").wait_for()
    items = page.get_by_test_id("inbox-item")
    assert items.count() == 2
    assert f"Referral #{accepted}" in items.nth(0).inner_text() and "Emergent" in items.nth(0).inner_text()
    assert f"Referral #{declined}" in items.nth(1).inner_text()
    _fits(page)
    check_page(page, "70-inbox-phone")

    items.nth(1).get_by_role("link").click()
    page.get_by_label("Or decline it, and say why").fill("Outside my practice's scope.")
    _fits(page)
    check_page(page, "71-referral-decline-phone")
    page.get_by_role("button", name="Decline the referral").click()
    status = page.get_by_test_id("referral-status")
    assert status.get_attribute("data-status") == "rejected" and "Outside my practice's scope." in status.inner_text()
    assert page.get_by_role("heading", name="The case").count() == 0  # declined: the case is no longer shown

    page.get_by_role("link", name="Back to the inbox").click()
    page.get_by_role("link", name=re.compile(f"Referral #{accepted}")).click()
    assert page.locator("main > *").first.get_attribute("role") == "alert"  # emergent: the warning before all else
    assert "911" in page.get_by_role("alert").inner_text()
    page.get_by_role("button", name="Accept the referral").focus()
    page.keyboard.press("Enter")
    page.locator("[data-testid=referral-status][data-status=accepted]").wait_for()
    assert "release-of-information authorization" in page.get_by_test_id("no-release").inner_text()
    check_page(page, "72-referral-no-release-phone")

    ok(client.post(f"/v1/cases/{emergent}/authorizations", headers=patient, json={
        "recipient_specialist_id": expert.id, "scope": ["pathology_report"], "expires_at": "2099-01-01T00:00:00Z"}), 201)
    page.reload()
    with page.expect_download() as download:
        page.get_by_role("link", name="pathology.pdf").click()
    assert open(download.value.path(), "rb").read() == PDF

    page.get_by_role("link", name="Write your opinion").click()
    page.get_by_role("group", name="Do you agree with the first diagnosis?").get_by_label("No").check()
    page.get_by_role("group", name="Do you agree with the proposed treatment?").get_by_label("No").check()
    page.get_by_label("Your recommended plan").fill("Repeat the marrow with cytogenetics first.")
    page.get_by_label("Clinical trials").fill("NCT123")
    page.get_by_role("button", name="Deliver my opinion").click()
    trials = page.get_by_label("Clinical trials")
    assert trials.get_attribute("aria-invalid") == "true" and "NCT01234567" in page.locator("#clinical_trials-error").inner_text()
    assert page.get_by_label("Your recommended plan").input_value() == "Repeat the marrow with cytogenetics first."
    _fits(page)
    check_page(page, "73-opinion-form-error-phone")
    trials.fill("NCT01234567")
    page.get_by_role("group", name="Do you agree with the first diagnosis?").get_by_label("No").check()
    page.get_by_role("group", name="Do you agree with the proposed treatment?").get_by_label("No").check()
    page.get_by_role("button", name="Deliver my opinion").click()
    page.locator("[data-testid=referral-status][data-status=completed]").wait_for()
    _fits(page)
    check_page(page, "74-opinion-delivered-phone")

    opinions = ok(client.get(f"/v1/cases/{emergent}/opinions", headers=patient))
    assert [(o["clinical_trials"], o["classification"]) for o in opinions] == [(["NCT01234567"], "different_diagnosis")]
