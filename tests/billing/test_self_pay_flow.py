"""End to end over HTTP: coverage says referral needed, then covered; a refused patient pays for themselves."""
from datetime import date

from sqlalchemy import select

from api.models import Case, LedgerEntry, Payment, PlanType
from billing import ledger
from tests.payments_support import deliver, event, make_bookable, make_person, make_plan, reading


def test_insured_then_refused_patient_books_and_pays_with_localstripe(client, session, localstripe):
    network, plan = make_plan(session, PlanType.HMO, copay_cents=None, coinsurance_pct=20, deductible_cents=100_000,
                              oop_max_cents=500_000)
    specialist, (slot, *_) = make_bookable(session, networks=[network], price_cents=45_000)
    patient, headers = make_person(session, name="Jane Roe")
    session.commit()

    member = client.post("/v1/coverage/members", headers=headers, json={
        "plan_id": plan.id, "plan_year": date.today().year, "deductible_met_cents": 90_000})
    assert member.status_code == 201, member.get_json()
    check = {"member_coverage_id": member.get_json()["id"], "specialist_id": specialist.id}
    first = client.post("/v1/coverage/check", headers=headers, json=check)
    assert first.status_code == 200, first.get_json()
    assert first.get_json()["verdict"] == "needs_referral"
    assert first.get_json()["next_step"]["action"] == "get_referral"

    second = client.post("/v1/coverage/check", headers=headers, json={**check, "referral_number": "R-778812"})
    answer = second.get_json()
    assert answer["verdict"] == "covered" and answer["in_network"] is True
    # Allowed $240: $100 of deductible left, then 20% of the remaining $140 = $28.
    assert answer["estimate"]["deductible_cents"] == 10_000
    assert answer["estimate"]["coinsurance_cents"] == 2_800
    assert answer["estimate"]["patient_cents"] == 12_800 and answer["estimate"]["plan_cents"] == 11_200

    # The insurer refuses anyway: the denial is recorded on the case, which goes self-pay; an appeal is drafted.
    case = Case(created_by_user_id=patient.id, patient_user_id=patient.id, patient_name="Jane Roe",
                patient_birth_date=date(1968, 7, 1), patient_sex="female", patient_zip="10001",
                first_diagnosis="suspected lymphoma", plan_id=plan.id, self_pay=False)
    session.add(case)
    session.commit()
    denial = client.post(f"/v1/cases/{case.id}/denials", headers=headers, json={
        "reason": "not_medically_necessary", "denied_on": date.today().isoformat(), "reference": "CLM-1"})
    assert denial.status_code == 201, denial.get_json()
    letter = client.get(denial.get_json()["next_steps"][1]["href"], headers=headers).get_json()
    assert "CLM-1" in letter["subject"] and "Jane Roe" in letter["body"]
    with reading(session) as s:
        assert s.get(Case, case.id).self_pay is True

    hold = client.post(f"/v1/slots/{slot.id}/hold", headers={**headers, "Idempotency-Key": "hold-1"},
                       json={"payment_method": "pm_card_visa"})
    assert hold.status_code == 201, hold.get_json()
    booking = hold.get_json()
    assert booking["status"] == "held" and booking["payment"]["status"] == "authorised"
    assert booking["payment"]["amount_cents"] == 45_000

    with reading(session) as s:
        intent_id = s.scalar(select(Payment.stripe_payment_intent_id).where(Payment.booking_id == booking["id"]))
    webhook = deliver(client, event("payment_intent.amount_capturable_updated", {"id": intent_id}))
    assert webhook.status_code == 200, webhook.get_json()
    confirmed = client.get(f"/v1/bookings/{booking['id']}", headers=headers).get_json()
    assert confirmed["status"] == "confirmed" and confirmed["payment"]["status"] == "captured"

    again = deliver(client, event("payment_intent.succeeded", {"id": intent_id}))
    assert again.status_code == 200

    cancelled = client.post(f"/v1/bookings/{booking['id']}/cancel", headers=headers)
    assert cancelled.status_code == 200, cancelled.get_json()
    body = cancelled.get_json()
    assert body["status"] == "cancelled"
    assert body["payment"]["status"] == "refunded" and body["payment"]["amount_refunded_cents"] == 45_000

    with reading(session) as s:
        kinds = [e.kind.value for e in s.scalars(select(LedgerEntry).order_by(LedgerEntry.id))]
        assert kinds == ["authorised", "captured", "refunded"]
        assert ledger.balances(s) == {"patient": 0, "held": 0, "collected": 0, "disputed": 0}
