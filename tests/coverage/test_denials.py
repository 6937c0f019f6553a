"""Insurance denials on a case: the case goes self-pay, and an appeal letter is drafted from it."""
from datetime import date, timedelta

from sqlalchemy import select

from api.models import AuditEvent, Case, PlanType, Referral, ReferralStatus, Role, Urgency
from tests.factories import make_specialist
from tests.payments_support import make_person, make_plan, reading


def _case(session, patient, plan, **kw):
    case = Case(created_by_user_id=patient.id, patient_user_id=patient.id, patient_name="Maria Lopez",
                patient_birth_date=date(1975, 3, 9), patient_sex="female", patient_zip="10001",
                conditions=[{"system": "ICD-10-CM", "code": "C50.911"}], first_diagnosis="invasive ductal carcinoma",
                proposed_treatment="mastectomy", plan_id=plan.id, member_id="W123456789", self_pay=False, **kw)
    session.add(case)
    session.flush()
    return case


def test_a_denial_moves_the_case_to_self_pay_and_drafts_the_appeal(client, session):
    _, plan = make_plan(session, PlanType.PPO)
    specialist = make_specialist(session, first_name="Ana", last_name="Okafor")
    patient, headers = make_person(session)
    case = _case(session, patient, plan, urgency=Urgency.SOON)
    session.add(Referral(case_id=case.id, specialist_id=specialist.id, sent_by_user_id=patient.id,
                         status=ReferralStatus.REQUESTED))
    session.commit()
    recorded = client.post(f"/v1/cases/{case.id}/denials", headers=headers, json={
        "reason": "not_medically_necessary", "denied_on": str(date.today() - timedelta(days=2)),
        "reference": "CLM-2026-44817", "reason_detail": "Consultation not medically necessary."})
    assert recorded.status_code == 201, recorded.get_json()
    denial = recorded.get_json()
    assert denial["plan_id"] == plan.id and [s["action"] for s in denial["next_steps"]] == ["self_pay", "appeal"]
    with reading(session) as s:
        assert s.get(Case, case.id).self_pay is True

    letter = client.get(denial["next_steps"][1]["href"], headers=headers)
    assert letter.status_code == 200
    body = letter.get_json()["body"]
    assert "CLM-2026-44817" in letter.get_json()["subject"]
    for expected in ("Maria Lopez", "W123456789", plan.name, "ICD-10-CM C50.911", "mastectomy",
                     "Dr. Ana Okafor", "medically necessary", "expedited review", "45 CFR 147.136"):
        assert expected in body, expected
    assert [d["id"] for d in client.get(f"/v1/cases/{case.id}/denials", headers=headers).get_json()] == [denial["id"]]
    with reading(session) as s:
        actions = s.scalars(select(AuditEvent.action).where(AuditEvent.case_id == case.id)).all()
    assert {"denial.record", "denial.appeal_letter", "denial.list"} <= set(actions)


def test_only_parties_see_or_record_denials(client, session):
    _, plan = make_plan(session, PlanType.HMO)
    patient, headers = make_person(session)
    _, stranger = make_person(session)
    _, admin = make_person(session, Role.ADMIN)
    case = _case(session, patient, plan)
    session.commit()
    body = {"reason": "no_referral", "denied_on": str(date.today()), "reference": "R-1"}
    assert client.post(f"/v1/cases/{case.id}/denials", headers=stranger, json=body).status_code == 404
    assert client.get(f"/v1/cases/{case.id}/denials", headers=admin).status_code == 403  # support access needs a reason
    assert client.get(f"/v1/cases/{case.id}/denials", headers={**admin, "X-Access-Reason": "ticket 7"}).status_code == 200
    assert client.post(f"/v1/cases/{case.id}/denials", headers={**admin, "X-Access-Reason": "t"}, json=body).status_code == 403
    future = client.post(f"/v1/cases/{case.id}/denials", headers=headers,
                         json={**body, "denied_on": str(date.today() + timedelta(days=3))})
    assert future.status_code == 422
    denial = client.post(f"/v1/cases/{case.id}/denials", headers=headers, json=body).get_json()
    assert client.get(f"/v1/cases/{case.id}/denials/{denial['id']}/appeal-letter", headers=stranger).status_code == 404
    assert client.get(f"/v1/cases/{case.id}/denials/999/appeal-letter", headers=headers).status_code == 404


def test_a_retried_denial_is_recorded_once(client, session):
    _, plan = make_plan(session, PlanType.PPO)
    patient, headers = make_person(session)
    case = _case(session, patient, plan)
    session.commit()
    body = {"reason": "out_of_network", "denied_on": str(date.today()), "reference": "R-9"}
    keyed = {**headers, "Idempotency-Key": "denial-once"}
    first = client.post(f"/v1/cases/{case.id}/denials", headers=keyed, json=body)
    again = client.post(f"/v1/cases/{case.id}/denials", headers=keyed, json=body)
    assert first.status_code == again.status_code == 201 and first.get_json() == again.get_json()
    assert len(client.get(f"/v1/cases/{case.id}/denials", headers=headers).get_json()) == 1
