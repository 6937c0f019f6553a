"""The case pages through the test client: the warning first, errors on their fields, and every read
authorised and audited by the API's own rules (strangers 404, administrators only with a reason)."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from api.auth.standing import UNVERIFIED_EMAIL
from api.cases import timeline
from api.models import AuditEvent, Case, Role
from api.web.cases import STEP_TEXT, existing_page, step_text
from tests.factories import PASSWORD, make_user
from tests.payments_support import reading
from tests.web.browser import check_page

APL = "Acute promyelocytic leukemia (ORPHA:520)"
DOCTOR = "doc@clinic.test"


def _csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def _signed_in(app, email: str):
    client = app.test_client()
    form = client.get("/signin").get_data(as_text=True)
    answer = client.post("/signin", data={"email": email, "password": PASSWORD, "csrf_token": _csrf(form)})
    assert answer.status_code == 302
    return client


def _case_form(client, **fields) -> dict:
    form = {"patient_name": "Pat Case", "patient_email": "pat.case@example.test", "birth_date": "1980-05-17",
            "sex": "female", "zip": "10001", "condition": APL, "diagnosis": "APL on marrow biopsy",
            "reasons": "rare_condition", "urgency": "soon", "plan": "self", "telehealth": "on"}
    form.update(fields, csrf_token=_csrf(client.get("/cases/new").get_data(as_text=True)))
    return {k: v for k, v in form.items() if v is not None}


@pytest.fixture
def doctor(app, session, directory):
    """A verified referring physician, signed in."""
    make_user(session, Role.REFERRING_PHYSICIAN, email=DOCTOR, display_name="Dr. Doc")
    session.commit()
    return _signed_in(app, DOCTOR)


def _start(doctor, **fields) -> int:
    answer = doctor.post("/cases/new", data=_case_form(doctor, **fields))
    assert answer.status_code == 302, answer.get_data(as_text=True)
    return int(answer.headers["Location"].rsplit("/", 1)[1])


def test_an_emergent_case_warns_before_anything_else_on_each_of_its_pages(doctor):
    case_id = _start(doctor, urgency="emergent")
    for path in (f"/cases/{case_id}", f"/cases/{case_id}/match"):
        html = doctor.get(path).get_data(as_text=True)
        main = html[html.index('<main id="main"'):]
        assert main.index("Do not delay care") < main.index("<h1>") and "call 911" in main, path
    listed = doctor.get("/cases").get_data(as_text=True)
    assert f"Case #{case_id}: Pat Case" in listed and "emergent</span>" in listed


def _steps(client, case_id: int) -> list[str]:
    return re.findall(r'data-step="([a-z_]+)"', client.get(f"/cases/{case_id}").get_data(as_text=True))


def test_reading_the_match_page_matches_nothing_its_button_does(doctor, session):
    case_id = _start(doctor)
    page = doctor.get(f"/cases/{case_id}/match")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Find specialists</button>" in html and "Dr. Ada Hematon" not in html
    assert doctor.get(f"/cases/{case_id}/match").status_code == 200  # read again, as a prefetch would
    assert _steps(doctor, case_id) == ["created"]
    assert doctor.post(f"/cases/{case_id}/match").status_code == 400  # a POST needs the form's CSRF token
    matched = doctor.post(f"/cases/{case_id}/match", data={"csrf_token": _csrf(html)})
    assert matched.status_code == 200 and "Dr. Ada Hematon, MD" in matched.get_data(as_text=True)
    assert "Refer the case</button>" in matched.get_data(as_text=True)
    assert _steps(doctor, case_id) == ["created", "matched"]
    with reading(session) as s:
        actions = list(s.scalars(select(AuditEvent.action).where(AuditEvent.case_id == case_id)))
    assert actions.count("case.match") == 1


def test_words_are_read_back_before_they_go_into_a_case(doctor, session):
    page = doctor.post("/cases/new", data=_case_form(doctor, condition="promyelocytic leukemia"))
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Which condition did you mean?" in html and f'value="{APL}"' in html
    with reading(session) as s:
        assert s.scalar(select(Case)) is None


@pytest.mark.parametrize(("fields", "field"), [
    ({"zip": "00000"}, "zip"),
    ({"reasons": None}, "reasons"),
    ({"plan": ""}, "plan"),
    ({"birth_date": "2990-01-01"}, "birth_date"),
    ({"patient_email": "not an address"}, "patient_email"),
    ({"condition": "zzqxv"}, "condition"),
])
def test_a_bad_field_is_a_422_page_naming_it(doctor, fields, field):
    page = doctor.post("/cases/new", data=_case_form(doctor, **fields))
    html = page.get_data(as_text=True)
    assert page.status_code == 422 and f'id="{field}-error"' in html, html[:2000]
    assert re.search(rf'id="{field}"[^>]*aria-invalid="true"|aria-invalid="true"[^>]*id="{field}"', html) or \
        field == "reasons"


def test_a_stranger_gets_404_and_an_admin_reads_only_with_a_reason(app, session, doctor):
    case_id = _start(doctor)
    make_user(session, Role.REFERRING_PHYSICIAN, email="other@clinic.test")
    make_user(session, Role.ADMIN, email="admin@example.test")
    session.commit()
    assert _signed_in(app, "other@clinic.test").get(f"/cases/{case_id}").status_code == 404
    admin = _signed_in(app, "admin@example.test")
    refused = admin.get(f"/cases/{case_id}")
    assert refused.status_code == 403 and "needs a reason" in refused.get_data(as_text=True)
    assert 'name="reason"' in refused.get_data(as_text=True)  # asked for on the page
    assert admin.get(f"/cases/{case_id}?reason=" + "x" * 501).status_code == 400
    read = admin.get(f"/cases/{case_id}?reason=Support+ticket+42")
    assert read.status_code == 200 and 'id="timeline"' in read.get_data(as_text=True)
    with reading(session) as s:
        reasons = {(e.action, e.reason) for e in s.scalars(select(AuditEvent).where(AuditEvent.case_id == case_id))}
    assert {("case.read", "Support ticket 42"), ("timeline.read", "Support ticket 42")} <= reasons


def test_referring_needs_a_pick_and_the_patients_consent(doctor, directory):
    case_id = _start(doctor)
    token = _csrf(doctor.get(f"/cases/{case_id}").get_data(as_text=True))
    nothing = doctor.post(f"/cases/{case_id}/refer", data={"csrf_token": token})
    assert nothing.status_code == 422 and "Pick at least one specialist" in nothing.get_data(as_text=True)
    early = doctor.post(f"/cases/{case_id}/refer", data={"csrf_token": token,
                                                         "specialist_ids": directory["expert"].id})
    assert early.status_code == 409 and "has not accepted this case yet" in early.get_data(as_text=True)


def test_an_account_not_in_good_standing_is_told_why(app, session, directory):
    make_user(session, Role.REFERRING_PHYSICIAN, email="new@clinic.test", verified=False)
    session.commit()
    page = _signed_in(app, "new@clinic.test").get("/cases/new")
    assert page.status_code == 403 and UNVERIFIED_EMAIL in page.get_data(as_text=True)


def test_every_timeline_step_reads_as_words():
    assert set(STEP_TEXT) == set(timeline.STEPS)
    chosen = timeline.Entry("chosen_path", None, "patient", "Pat", detail={"path": "follow_second_opinion"})
    assert step_text(chosen) == "Path chosen: follow second opinion"
    referred = timeline.Entry("referred", None, "referring_physician", "Dr. Doc", specialist_name="Dr. Ada Hematon, MD")
    assert step_text(referred) == "Referred to Dr. Ada Hematon, MD"


def test_links_to_case_pages_appear_only_where_the_app_serves_one(app):
    with app.test_request_context():
        assert existing_page("/cases/7") == "/cases/7" and existing_page("/cases/7/match") == "/cases/7/match"
        assert existing_page("/cases/7/nowhere") is None and existing_page("/nowhere") is None


def test_a_form_with_errors_passes_the_accessibility_check(page, live_server, session, directory):
    make_user(session, Role.REFERRING_PHYSICIAN, email=DOCTOR, display_name="Dr. Doc")
    session.commit()
    page.goto(f"{live_server}/signin?next=/cases/new")
    page.get_by_label("E-mail").fill(DOCTOR)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_label("Patient's ZIP code").fill("00000")
    page.get_by_label("Condition, in your own words").fill(APL)
    page.get_by_label("Emergent").check()
    page.get_by_role("button", name="Start the case and invite the patient").click()
    page.locator("#zip-error").wait_for()
    assert page.locator("main > *").first.get_attribute("role") == "alert"  # the emergent warning first
    for field in ("patient_name", "zip", "reasons", "plan", "diagnosis"):
        assert page.locator(f"#{field}-error").count() == 1, field
    assert page.get_by_label("Patient's ZIP code").get_attribute("aria-describedby") == "zip-error"
    assert page.locator("#zip-error").inner_text() == "Unknown ZIP code."  # the API's own word on a bad value
    assert page.locator("#patient_name-error").inner_text() == "Please fill this in."  # a blank one is asked for
    assert page.locator("#reasons-error").inner_text() == "Pick at least one reason."
    check_page(page, "22b-start-case-errors")
