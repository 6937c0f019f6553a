"""Matching a case uses what is on file: the patient's age (from the birth date), the recorded denial,
referrals; and intake refuses codes the patient cannot have."""
from datetime import date, timedelta

from api.models import InsuranceDenial, ReferralStatus, Role
from tests.cases.factories import bearer, case_body, make_account, make_case, make_referral
from tests.factories import make_network, make_specialist

HEMONC, PEDS_HEMONC = "207RH0003X", "2080P0207X"


def _match(client, headers, case_id) -> list[dict]:
    response = client.post(f"/v1/cases/{case_id}/matches", headers=headers)
    assert response.status_code == 200, response.get_json()
    return response.get_json()["candidates"]


def test_after_a_recorded_denial_the_case_ranks_as_self_pay(client, session):
    network, plan = make_network(session)
    in_network = make_specialist(session, specialty=HEMONC, networks=[network], self_pay_price_cents=45000)
    patient = make_account(session, Role.PATIENT)
    case = make_case(session, creator=patient, patient=patient, plan=plan)
    headers = bearer(session, patient)
    session.commit()
    before = {c["specialist"]["id"]: c for c in _match(client, headers, case.id)}
    assert before[in_network.id]["coverage_status"] == "in_network"
    session.add(InsuranceDenial(case_id=case.id, plan_id=plan.id, reason="not_medically_necessary",
                                denied_on=date.today() - timedelta(days=1), reference="CLM-1"))
    session.commit()
    after = {c["specialist"]["id"]: c for c in _match(client, headers, case.id)}
    candidate = after[in_network.id]
    assert candidate["coverage_status"] == "self_pay" and candidate.get("coverage") is None
    assert "self-pay $450" in candidate["reasons"]
    assert "your plan's denial is on file: ranked as self-pay" in candidate["reasons"]
    assert not any("in network" in r for c in after.values() for r in c["reasons"])


def test_a_referral_on_file_shows_in_the_reasons(client, session):
    referred = make_specialist(session, specialty=HEMONC, self_pay_price_cents=45000)
    other = make_specialist(session, specialty=HEMONC, self_pay_price_cents=45000)
    patient = make_account(session, Role.PATIENT)
    case = make_case(session, creator=patient, patient=patient)
    make_referral(session, case, referred, status=ReferralStatus.ACCEPTED)
    headers = bearer(session, patient)
    session.commit()
    found = {c["specialist"]["id"]: c for c in _match(client, headers, case.id)}
    assert "a referral to this specialist is on file for this case" in found[referred.id]["reasons"]
    assert not any("referral" in r for r in found[other.id]["reasons"])


def test_the_age_comes_from_the_birth_date_on_file(client, session):
    adult = make_specialist(session, specialty=HEMONC, self_pay_price_cents=45000)
    child_doctor = make_specialist(session, specialty=PEDS_HEMONC, self_pay_price_cents=45000)
    patient = make_account(session, Role.PATIENT)
    eight = date.today().replace(year=date.today().year - 8) - timedelta(days=3)
    child_case = make_case(session, creator=patient, patient=patient, conditions=[("ICD-10-CM", "C91.00")])
    child_case.patient_birth_date = eight
    grown_case = make_case(session, creator=patient, patient=patient, conditions=[("ICD-10-CM", "C91.00")])
    headers = bearer(session, patient)
    session.commit()
    assert [c["specialist"]["id"] for c in _match(client, headers, child_case.id)] == [child_doctor.id]
    assert [c["specialist"]["id"] for c in _match(client, headers, grown_case.id)] == [adult.id]


def test_intake_refuses_a_code_the_patient_cannot_have(client, session):
    patient = make_account(session, Role.PATIENT)
    headers = bearer(session, patient)
    session.commit()
    body = case_body(conditions=[{"system": "ICD-10-CM", "code": "C61"}])  # prostate cancer, female patient
    response = client.post("/v1/cases", headers=headers, json=body)
    assert response.status_code == 422
    assert "female patient" in str(response.get_json()) and "conditions" in str(response.get_json())
