"""The patient's case in Debian's Chromium, with the specialist beside them in a second browser.

The physician starts the case and refers it through /v1; the patient signs up from the mailed
invitation, confirms the address by the mailed link, accepts the case and releases the records to
the referred specialist. The specialist claims the profile from the mailed invitation, accepts the
referral, opens the released record and writes the opinion. A second specialist disagrees (through
/v1); the patient reads the opinions, the comparison and its tie-breaker, revokes the release (the
specialist can no longer open the record) and records the decision. Every page passes axe-core.
"""
from __future__ import annotations

import re

from tests.cases.factories import PDF
from tests.web.case_support import (  # noqa: F401  (clinic: the fixture)
    PATIENT, add_report, as_user, claim_by_api, clinic, invite, ok, page_link, refer, start_case,
)
from tests.web.browser import check_page

PASSWORD = "a long enough passphrase"
SPECIALIST = "hopper@centre.test"


def _sign_in(page, email: str) -> None:
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def _patient_joins(page, mail, case_id: int) -> None:
    """From the invitation: sign up, confirm by the mailed link, sign in, accept the case."""
    page.goto(page_link(mail, PATIENT, "/invitations/"))
    check_page(page, "50-case-invitation")
    page.get_by_role("link", name="Create an account").click()
    page.get_by_label("Your name").fill("Pat Case")
    page.get_by_label("E-mail").fill(PATIENT)
    page.get_by_label("Password").fill(PASSWORD)
    check_page(page, "51-sign-up")
    page.get_by_role("button", name="Create my account").click()
    page.get_by_role("heading", name="Check your e-mail").wait_for()
    check_page(page, "52-sign-up-sent")

    page.goto(page_link(mail, PATIENT, "/signup/confirm/", count=2))
    check_page(page, "53-confirm-address")
    page.get_by_role("button", name="Confirm my address").click()
    page.get_by_role("heading", name="Your address is confirmed").wait_for()
    page.get_by_role("link", name="Sign in to continue").click()
    _sign_in(page, PATIENT)
    page.get_by_role("button", name="Accept the case").click()  # back on the invitation, signed in
    page.get_by_role("heading", name="Who may read your records").wait_for()
    assert page.url.endswith(f"/cases/{case_id}/release")
    assert "has not been sent to a specialist yet" in page.get_by_role("main").inner_text()


def _specialist_answers(page, mail, referral_id: int) -> str:
    """Claim from the mailed invitation, sign in, inbox, accept, open the record, write the opinion."""
    page.goto(page_link(mail, SPECIALIST, "/claim/"))
    check_page(page, "56-claim-profile")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Claim my profile").click()
    page.get_by_role("heading", name="Your profile is yours").wait_for()
    check_page(page, "57-profile-claimed")
    page.get_by_role("link", name="Sign in").last.click()
    _sign_in(page, SPECIALIST)
    page.get_by_role("heading", name="Referrals sent to you").wait_for()
    assert "Records released to you: 1 document" in page.get_by_test_id("inbox-item").inner_text()
    check_page(page, "58-inbox")

    page.get_by_role("link", name=re.compile(f"Referral #{referral_id}")).click()
    assert page.get_by_test_id("referral-status").get_attribute("data-status") == "received"
    check_page(page, "59-referral")
    page.get_by_role("button", name="Accept the referral").click()
    page.get_by_test_id("referral-status").and_(page.locator("[data-status=accepted]")).wait_for()
    with page.expect_download() as download:
        page.get_by_role("link", name="pathology.pdf").click()
    assert open(download.value.path(), "rb").read() == PDF
    check_page(page, "60-referral-accepted-records")
    record_url = page.get_by_role("link", name="pathology.pdf").get_attribute("href")

    page.get_by_role("link", name="Write your opinion").click()
    page.get_by_role("group", name="Do you agree with the first diagnosis?").get_by_label("Yes").check()
    page.get_by_role("group", name="Do you agree with the proposed treatment?").get_by_label("No").check()
    page.get_by_label("Your diagnosis, as codes").fill("ORPHA:520")
    page.get_by_label("Your recommended plan").fill("ATRA plus arsenic trioxide; no chemotherapy.")
    page.get_by_label("Clinical trials").fill("NCT01234567")
    page.get_by_label("Is chemotherapy needed?").fill("Not for a low-risk APL.")
    check_page(page, "61-opinion-form")
    page.get_by_role("button", name="Deliver my opinion").click()
    page.get_by_test_id("referral-status").and_(page.locator("[data-status=completed]")).wait_for()
    assert "Your opinion was delivered" in page.get_by_role("main").inner_text()
    check_page(page, "62-opinion-delivered")
    return record_url


def test_a_patient_joins_releases_reads_the_opinions_revokes_and_decides(
        page, second_page, live_server, client, clinic, mail):
    first, second, third = clinic["experts"]
    specialist_page = second_page
    case_id = start_case(client)
    _patient_joins(page, mail, case_id)

    add_report(client, case_id)
    referral_id, second_referral = refer(client, case_id, first, second)
    invite(client, first, SPECIALIST)
    page.reload()
    page.get_by_label("Specialist your case is sent to").select_option(label="Dr. Grace Hopper, MD")
    check_page(page, "54-release-form")
    page.get_by_role("button", name="Release my records").click()
    release = page.locator("[data-testid^=release-]")
    assert "Dr. Grace Hopper, MD may read all your records" in release.inner_text()
    check_page(page, "55-released")

    record_url = _specialist_answers(specialist_page, mail, referral_id)

    page.get_by_role("link", name="Opinions").click()
    assert page.get_by_test_id("opinion").count() == 1
    assert "Same diagnosis, a different treatment" in page.get_by_test_id("opinion").inner_text()
    check_page(page, "63-one-opinion")

    doctor = claim_by_api(client, mail, second, "liskov@centre.test")  # the second opinion, through the API
    ok(client.get(f"/v1/referrals/{second_referral}", headers=doctor))
    ok(client.post(f"/v1/referrals/{second_referral}/transitions", json={"action": "accept"}, headers=doctor))
    ok(client.post(f"/v1/referrals/{second_referral}/opinion", headers=doctor, json={
        "agrees_with_diagnosis": False, "agrees_with_treatment": False,
        "recommended_plan": "Repeat the marrow with cytogenetics first."}), 201)
    page.reload()
    assert page.get_by_test_id("opinion").count() == 2
    table = page.get_by_role("table")
    assert "differs" in table.get_by_role("row", name=re.compile("Agrees with the diagnosis")).inner_text()
    tie_breaker = page.get_by_test_id("tie-breaker")
    assert tie_breaker.get_by_role("link", name="Dr. Frances Allen, MD").count() == 1  # outside both centres
    assert "Hopper" not in tie_breaker.inner_text() and "Liskov" not in tie_breaker.inner_text()
    check_page(page, "64-comparison-tie-breaker")

    page.get_by_role("link", name="Records release").click()
    page.get_by_role("button", name="Revoke this release").click()
    assert "Revoked on" in page.locator("[data-testid^=release-]").inner_text()
    check_page(page, "65-release-revoked")
    specialist_page.reload()
    assert "live release-of-information authorization" in specialist_page.get_by_role("main").inner_text()
    assert specialist_page.get_by_role("link", name="pathology.pdf").count() == 0
    refused = specialist_page.goto(live_server + record_url)
    assert refused.status == 403 and "live release-of-information authorization" in refused.text()
    check_page(specialist_page, "66-record-refused-after-revocation")

    page.get_by_role("link", name="Your decision").click()
    page.get_by_label("Follow the second opinion of Dr. Barbara Liskov, MD").check()
    page.get_by_label("The physician you continue with").select_option(label="Dr. Barbara Liskov, MD")
    check_page(page, "67-decision-form")
    page.get_by_role("button", name="Record my decision").click()
    decided = page.get_by_test_id("decided")
    assert "Follow a second opinion" in decided.inner_text() and "The case is closed" in decided.inner_text()
    check_page(page, "68-decision-recorded")
    told = mail.wait_for("liskov@centre.test", 2)[-1]
    assert "chosen how to continue their care with you" in told.get_content()
    # The pages went through the case services: the timeline has each step, by whom it was done.
    timeline = ok(client.get(f"/v1/cases/{case_id}/timeline", headers=as_user(client, "doc@case.test")))
    steps = [(e["step"], e["actor_role"]) for e in timeline["entries"]]
    for step in (("patient_accepted", "patient"), ("records_released", "patient"), ("referral_accepted", "specialist"),
                 ("opinion_delivered", "specialist"), ("compared", "patient"), ("chosen_path", "patient")):
        assert step in steps, (step, steps)
    assert timeline["status"] == "closed" and third.id not in {e["specialist_id"] for e in timeline["entries"]}
