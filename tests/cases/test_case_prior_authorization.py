"""A prior authorisation entered at intake is kept under the case's permissions and shows in the reasons
of the candidates the plan covers, never after the plan's denial and never with self-pay."""
from datetime import date, timedelta

from api.models import InsuranceDenial, Role
from tests.cases.factories import bearer, case_body, make_account
from tests.factories import make_network, make_specialist

HEMONC = "207RH0003X"
ON_FILE = "prior authorisation on file"


def _open_case(client, headers, insurance: dict):
    return client.post("/v1/cases", headers=headers, json=case_body(insurance=insurance))


def _reasons(client, headers, case_id) -> dict[int, list[str]]:
    response = client.post(f"/v1/cases/{case_id}/matches", headers=headers)
    assert response.status_code == 200, response.get_json()
    return {c["specialist"]["id"]: c["reasons"] for c in response.get_json()["candidates"]}


def test_a_prior_authorisation_shows_where_the_plan_covers_the_candidate(client, session):
    network, plan = make_network(session)
    covered = make_specialist(session, specialty=HEMONC, networks=[network], self_pay_price_cents=45000)
    outside = make_specialist(session, specialty=HEMONC, self_pay_price_cents=45000)
    patient = make_account(session, Role.PATIENT)
    headers = bearer(session, patient)
    session.commit()
    created = _open_case(client, headers, {"plan_id": plan.id, "member_id": "XZ1", "prior_authorization_number": "PA-7"})
    assert created.status_code == 201, created.get_json()
    case_id = created.get_json()["id"]
    assert client.get(f"/v1/cases/{case_id}", headers=headers).get_json()["insurance"][
        "prior_authorization_number"] == "PA-7"
    reasons = _reasons(client, headers, case_id)
    assert ON_FILE in reasons[covered.id]
    assert ON_FILE not in reasons[outside.id]
    session.add(InsuranceDenial(case_id=case_id, plan_id=plan.id, reason="not_medically_necessary",
                                denied_on=date.today() - timedelta(days=1), reference="CLM-9"))
    session.commit()
    assert not any(ON_FILE in r for r in _reasons(client, headers, case_id).values())


def test_without_a_prior_authorisation_nothing_is_claimed(client, session):
    network, plan = make_network(session)
    covered = make_specialist(session, specialty=HEMONC, networks=[network], self_pay_price_cents=45000)
    patient = make_account(session, Role.PATIENT)
    headers = bearer(session, patient)
    session.commit()
    created = _open_case(client, headers, {"plan_id": plan.id, "member_id": "XZ1"})
    assert created.status_code == 201, created.get_json()
    assert ON_FILE not in _reasons(client, headers, created.get_json()["id"])[covered.id]


def test_a_prior_authorisation_needs_a_plan(client, session):
    patient = make_account(session, Role.PATIENT)
    headers = bearer(session, patient)
    session.commit()
    refused = _open_case(client, headers, {"self_pay": True, "prior_authorization_number": "PA-7"})
    assert refused.status_code == 422
    assert "prior_authorization_number" in str(refused.get_json())
    too_long = _open_case(client, headers, {"plan_id": 1, "member_id": "XZ1", "prior_authorization_number": "9" * 65})
    assert too_long.status_code == 422


def test_another_patient_cannot_read_the_prior_authorisation(client, session):
    _, plan = make_network(session)
    owner, stranger = make_account(session, Role.PATIENT), make_account(session, Role.PATIENT)
    headers, other = bearer(session, owner), bearer(session, stranger)
    session.commit()
    created = _open_case(client, headers, {"plan_id": plan.id, "member_id": "XZ1", "prior_authorization_number": "PA-7"})
    response = client.get(f"/v1/cases/{created.get_json()['id']}", headers=other)
    assert response.status_code in (403, 404) and "PA-7" not in response.get_data(as_text=True)
