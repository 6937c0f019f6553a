"""POST /v1/coverage/check and friends, and the coverage rules seeded for synthetic plans."""
from datetime import date

from sqlalchemy import select

from api.models import Case, Payer, Plan, PlanBenefit, PlanType, PriorAuthRule, Referral, ReferralStatus
from seed_data.coverage_rules import ensure_coverage_rules
from tests.factories import make_network, make_specialist
from tests.payments_support import make_person, make_plan

ONCOLOGY = "207RX0202X"


def _case_with_referral(session, patient, specialist, status=ReferralStatus.REQUESTED):
    case = Case(created_by_user_id=patient.id, patient_user_id=patient.id, patient_name="Pat Doe",
                patient_birth_date=date(1980, 5, 6), patient_sex="female", patient_zip="10001",
                first_diagnosis="x", self_pay=True)
    session.add(case)
    session.flush()
    referral = Referral(case_id=case.id, specialist_id=specialist.id, sent_by_user_id=patient.id, status=status)
    session.add(referral)
    session.flush()
    return case, referral


def test_a_sent_secondlook_referral_satisfies_the_plan(client, session):
    network, plan = make_plan(session, PlanType.HMO)
    specialist = make_specialist(session, networks=[network], self_pay_price_cents=50_000)
    other = make_specialist(session, networks=[network])
    patient, headers = make_person(session)
    _, mine = _case_with_referral(session, patient, specialist)
    _, draft = _case_with_referral(session, patient, other, ReferralStatus.DRAFT)
    stranger, _ = make_person(session)
    _, theirs = _case_with_referral(session, stranger, specialist)
    session.commit()
    body = {"plan_id": plan.id, "specialist_id": specialist.id}
    assert client.post("/v1/coverage/check", headers=headers, json=body).get_json()["verdict"] == "needs_referral"
    covered = client.post("/v1/coverage/check", headers=headers, json={**body, "referral_id": mine.id}).get_json()
    assert covered["verdict"] == "covered" and covered["estimate"]["patient_cents"] == 24_000  # deductible unmet
    assert covered["plan"]["plan_type"] == "HMO" and covered["service"]["cpt"] == "99204"
    elsewhere = client.post("/v1/coverage/check", headers=headers,
                            json={"plan_id": plan.id, "specialist_id": other.id, "referral_id": draft.id})
    assert elsewhere.get_json()["verdict"] == "needs_referral"
    assert client.post("/v1/coverage/check", headers=headers, json={**body, "referral_id": theirs.id}).status_code == 404


def test_prior_authorization_by_specialty_or_service(client, session):
    network, plan = make_plan(session, PlanType.PPO, prior_auth=[(ONCOLOGY, None), (None, "records_review")])
    oncologist = make_specialist(session, specialty=ONCOLOGY, networks=[network])
    cardiologist = make_specialist(session, specialty="207RC0000X", networks=[network])
    _, headers = make_person(session, )
    session.commit()

    def verdict(**body):
        response = client.post("/v1/coverage/check", headers=headers, json={"plan_id": plan.id, **body})
        assert response.status_code == 200, response.get_json()
        return response.get_json()["verdict"]

    assert verdict(specialist_id=oncologist.id) == "needs_prior_authorization"
    assert verdict(specialist_id=oncologist.id, prior_authorization_number="PA-1") == "covered"
    assert verdict(specialist_id=cardiologist.id) == "covered"
    assert verdict(specialist_id=cardiologist.id, service="records_review") == "needs_prior_authorization"


def test_out_of_network_and_not_covered_offer_self_pay(client, session):
    _, hmo = make_plan(session, PlanType.HMO)
    other_network, _ = make_network(session)
    specialist = make_specialist(session, networks=[other_network], self_pay_price_cents=35_000)
    _, no_second_opinions = make_plan(session, PlanType.EPO, second_opinion_covered=False)
    _, headers = make_person(session)
    session.commit()
    oon = client.post("/v1/coverage/check", headers=headers, json={"plan_id": hmo.id, "specialist_id": specialist.id})
    assert oon.get_json()["verdict"] == "out_of_network" and oon.get_json()["in_network"] is False
    assert oon.get_json()["next_step"] == {"action": "self_pay", "self_pay_price_cents": 35_000,
                                           "detail": "Pay for the consultation yourself: $350.00."}
    refused = client.post("/v1/coverage/check", headers=headers,
                          json={"plan_id": no_second_opinions.id, "specialist_id": specialist.id}).get_json()
    assert refused["verdict"] == "not_covered" and refused["estimate"]["patient_cents"] == 35_000


def test_member_records_are_private_and_requests_are_validated(client, session):
    network, plan = make_plan(session, PlanType.PPO)
    specialist = make_specialist(session, networks=[network])
    other_place = make_specialist(session)
    _, alice = make_person(session)
    _, bob = make_person(session)
    payer = session.scalar(select(Payer))
    bare = Plan(code="BARE", name="No rules", plan_type=PlanType.PPO, payer=payer)
    session.add(bare)
    session.commit()
    member = client.post("/v1/coverage/members", headers=alice, json={"plan_id": plan.id, "plan_year": 2026})
    assert member.status_code == 201
    mine = {"member_coverage_id": member.get_json()["id"], "specialist_id": specialist.id}
    assert client.post("/v1/coverage/check", headers=bob, json=mine).status_code == 404
    assert client.post("/v1/coverage/check", headers=alice, json={**mine, "plan_id": plan.id}).status_code == 422
    assert client.post("/v1/coverage/check", headers=alice, json={"specialist_id": specialist.id}).status_code == 422
    assert client.post("/v1/coverage/check", headers=alice,
                       json={"plan_id": bare.id, "specialist_id": specialist.id}).status_code == 409
    assert client.post("/v1/coverage/check", headers=alice, json={
        **mine, "practice_location_id": other_place.practice_locations[0].id}).status_code == 404
    assert client.post("/v1/coverage/check", json=mine).status_code == 401
    assert [m["plan_id"] for m in client.get("/v1/coverage/members", headers=alice).get_json()] == [plan.id]
    rules = client.get(f"/v1/coverage/plans/{plan.id}").get_json()
    assert rules["network_ids"] == [network.id] and rules["out_of_network_covered"] is True


def test_seeded_plans_get_deterministic_rules_once(session):
    plans = [make_network(session, plan_type=kind)[1] for kind in PlanType]
    session.flush()
    assert ensure_coverage_rules(session) == len(PlanType)
    assert ensure_coverage_rules(session) == 0
    benefits = {session.get(Plan, b.plan_id).plan_type: b for b in session.scalars(select(PlanBenefit))}
    assert benefits[PlanType.HMO].referral_required and not benefits[PlanType.HMO].out_of_network_covered
    assert benefits[PlanType.PPO].out_of_network_covered and not benefits[PlanType.PPO].referral_required
    assert benefits[PlanType.POS].referral_required and benefits[PlanType.POS].out_of_network_covered
    assert benefits[PlanType.MEDICARE_ADVANTAGE].oop_max_cents is not None
    transplant = session.scalars(select(PriorAuthRule).where(PriorAuthRule.taxonomy_code == "204F00000X")).all()
    assert len(transplant) == len(plans)
