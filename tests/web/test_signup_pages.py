"""The physician's sign-up page through the test client: the API's schema and service decide, the page
answers alike for a taken address or NPI (what differs goes by e-mail), and refusals land on their field."""
from __future__ import annotations

from sqlalchemy import func, select

from api.identifiers import make_npi
from api.models import Role, User
from tests.factories import make_user
from tests.payments_support import reading
from tests.web.parties import PASSWORD, PHYSICIAN, mail, physician_record, smtp_server  # noqa: F401 (fixtures)
from tests.web.test_pages import _csrf


def _sign_up(client, npi: str, email: str = PHYSICIAN, last_name: str = "Lovelace"):
    form = _csrf(client.get("/signup/physician").get_data(as_text=True))
    return client.post("/signup/physician", data={"csrf_token": form, "first_name": "Ada", "last_name": last_name,
                                                  "email": email, "password": PASSWORD, "npi": npi})


def _physicians(session) -> int:
    with reading(session) as s:
        return s.scalar(select(func.count()).select_from(User).where(User.role == Role.REFERRING_PHYSICIAN))


def test_a_taken_address_or_npi_gets_the_same_answer_and_the_owner_is_told_by_mail(client, session, mail,
                                                                                      physician_record):
    make_user(session, Role.PATIENT, email="taken@clinic.test")
    session.commit()
    answers = [_sign_up(client, physician_record.npi), _sign_up(client, physician_record.npi, "taken@clinic.test"),
               _sign_up(client, physician_record.npi, "second@clinic.test")]
    assert {(a.status_code, a.headers["Location"]) for a in answers} == {(302, "/signup/sent")}
    assert _physicians(session) == 1  # only the first made an account
    assert "/signup/confirm/" in mail.wait_for(PHYSICIAN)[0].get_content()
    assert "already has an account" in mail.wait_for("taken@clinic.test")[0].get_content()
    assert "already belongs to a SecondLook account" in mail.wait_for("second@clinic.test")[0].get_content()


def test_the_npi_is_checked_by_the_api_rules_and_the_refusal_shows_on_its_field(client, session, physician_record):

    mistyped = _sign_up(client, physician_record.npi[:9] + str((int(physician_record.npi[9]) + 1) % 10))
    html = mistyped.get_data(as_text=True)
    assert mistyped.status_code == 422 and 'id="npi-error"' in html and "CMS check digit" in html
    assert PASSWORD not in html  # the password is never sent back
    unknown = _sign_up(client, make_npi(123456789))  # a valid check digit, but no NPPES/directory record
    assert unknown.status_code == 404 and 'id="npi-error"' in unknown.get_data(as_text=True)
    someone_else = _sign_up(client, physician_record.npi, last_name="Byron")
    html = someone_else.get_data(as_text=True)
    assert someone_else.status_code == 403 and 'role="alert">The name does not match' in html
    assert _physicians(session) == 0
