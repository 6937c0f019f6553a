"""Case intake: who the patient is, what is validated, what is read back."""
import pytest

from api.models import Role
from tests.cases.factories import bearer, case_body, make_account
from tests.factories import make_network


@pytest.fixture
def people(session):
    """A patient, a referring physician, another physician to copy, and their logins."""
    patient, referrer = make_account(session, Role.PATIENT), make_account(session, Role.REFERRING_PHYSICIAN)
    colleague = make_account(session, Role.REFERRING_PHYSICIAN)
    _, plan = make_network(session)
    world = dict(patient=patient, colleague=colleague, plan=plan, as_patient=bearer(session, patient),
                 as_referrer=bearer(session, referrer), as_colleague=bearer(session, colleague))
    session.commit()
    return world


def _patient(**extra):
    return {"name": "Pat Example", "birth_date": "1980-05-17", "sex": "female", "zip": "10001-1234", **extra}


def test_a_patient_opens_their_own_case_and_reads_it_back(client, people):
    made = client.post("/v1/cases", json=case_body(patient=_patient()), headers=people["as_patient"])
    assert made.status_code == 201, made.get_json()
    case = client.get(f"/v1/cases/{made.get_json()['id']}", headers=people["as_patient"]).get_json()
    assert case["patient"] == {"user_id": people["patient"].id, "name": "Pat Example", "birth_date": "1980-05-17",
                               "sex": "female", "zip": "10001"}
    assert case["conditions"] == [{"system": "ORPHA", "code": "520", "name": "Acute promyelocytic leukemia"}]
    assert case["insurance"]["self_pay"] is True and case["urgency"] == "soon"


def test_a_referrer_invites_the_patient_and_copies_a_colleague(client, people):
    body = case_body(patient=_patient(email=people["patient"].email.upper()), copied_physician_ids=[
        people["colleague"].id], insurance={"plan_id": people["plan"].id, "member_id": "M-1"})
    made = client.post("/v1/cases", json=body, headers=people["as_referrer"])
    assert made.status_code == 201, made.get_json()
    case = made.get_json()
    assert case["patient"]["user_id"] is None and case["status"] == "invited"
    assert case["invitation"]["status"] == "pending" and case["invitation"]["email"] == people["patient"].email
    assert case["insurance"]["plan_type"] == "PPO"
    assert client.get(f"/v1/cases/{case['id']}", headers=people["as_colleague"]).status_code == 200


@pytest.mark.parametrize("change, field", [
    ({"conditions": [{"system": "ORPHA", "code": "0"}]}, "conditions"),
    ({"conditions": []}, "conditions"),
    ({"insurance": {"self_pay": True, "plan_id": 1, "member_id": "M"}}, "insurance"),
    ({"insurance": {"self_pay": False}}, "insurance"),
    ({"reasons": ["curiosity"]}, "reasons"),
    ({"first_physician": {"npi": "1234567890", "diagnosis": "x"}}, "first_physician"),
    ({"copied_physician_ids": [0]}, "copied_physician_ids"),
])
def test_intake_refuses_bad_fields_naming_them(client, people, change, field):
    body = case_body(**{"patient": _patient(email=people["patient"].email), **change})
    response = client.post("/v1/cases", json=body, headers=people["as_referrer"])
    assert response.status_code == 422, response.get_json()
    assert field in response.get_json()["errors"]["json"]


@pytest.mark.parametrize("patient", [
    _patient(),  # a referrer must invite the patient by e-mail
    _patient(user_id=999999),  # not by account id: that would reveal accounts
])
def test_a_referrer_may_only_invite_the_patient(client, people, patient):
    """Opening a case on a patient's account is the patient's own act: 403, not a field error."""
    response = client.post("/v1/cases", json=case_body(patient=patient), headers=people["as_referrer"])
    assert response.status_code == 403 and "by e-mail" in response.get_json()["detail"]


def test_copied_users_must_be_referring_physicians(client, people):
    """A patient's account id among the copied physicians is no referring physician's account: 404."""
    body = case_body(patient=_patient(email=people["patient"].email), copied_physician_ids=[people["patient"].id])
    response = client.post("/v1/cases", json=body, headers=people["as_referrer"])
    assert response.status_code == 404 and "copied_physician_ids" in response.get_json()["detail"]


def test_a_patient_cannot_open_a_case_for_someone_else(client, people, session):
    other = make_account(session, Role.PATIENT)
    session.commit()
    response = client.post("/v1/cases", json=case_body(patient=_patient(user_id=other.id)),
                           headers=people["as_patient"])
    assert response.status_code == 403  # acting for someone else: a permission refusal, not a field error
