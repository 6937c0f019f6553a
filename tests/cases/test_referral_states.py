"""The referral state machine: the table itself, 409 for invalid moves, history, sides and self-referral."""
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm.exc import StaleDataError

from api.cases import referral_states
from api.db import db
from api.models import AuditEvent, PlanBenefit, PlanType, Referral, ReferralEvent, ReferralStatus as S, Role
from tests.cases.factories import bearer, make_account, make_case, make_referral
from tests.factories import make_network, make_specialist

NON_TERMINAL = {S.DRAFT, S.REQUESTED, S.RECEIVED, S.ACCEPTED, S.SCHEDULED}
# action -> {from: to}; anything else is invalid.
EXPECTED = {
    "send": {S.DRAFT: S.REQUESTED},
    "receive": {S.REQUESTED: S.RECEIVED},
    "accept": {S.RECEIVED: S.ACCEPTED},
    "reject": {S.RECEIVED: S.REJECTED},
    "request_info": {S.RECEIVED: S.RECEIVED},
    "provide_info": {},  # only from received with business status info_requested
    "schedule": {S.ACCEPTED: S.SCHEDULED},
    "complete": {S.ACCEPTED: S.COMPLETED, S.SCHEDULED: S.COMPLETED},
    "cancel": {status: S.CANCELLED for status in NON_TERMINAL},
}


def test_the_table_allows_exactly_the_documented_moves():
    for action in EXPECTED:
        for status in S:
            expected = EXPECTED[action].get(status)
            if expected is None:
                with pytest.raises(referral_states.InvalidTransition):
                    referral_states.check(action, status, None)
            else:
                assert referral_states.check(action, status, None).target is expected, (action, status)


def test_provide_info_needs_an_open_information_request():
    assert referral_states.check("provide_info", S.RECEIVED, "info_requested").business_status == "info_provided"
    with pytest.raises(referral_states.InvalidTransition, match="info_requested"):
        referral_states.check("provide_info", S.RECEIVED, "info_provided")


@pytest.fixture
def loop(session):
    """A case from a referring physician, referred (requested) to one specialist."""
    referrer, patient = make_account(session, Role.REFERRING_PHYSICIAN), make_account(session, Role.PATIENT)
    specialist = make_specialist(session)
    session.flush()
    doctor = make_account(session, Role.SPECIALIST, specialist=specialist)
    case = make_case(session, creator=referrer, patient=patient)
    referral = make_referral(session, case, specialist, S.REQUESTED)
    world = dict(case=case, referral=referral, doctor=doctor, as_referrer=bearer(session, referrer),
                 as_doctor=bearer(session, doctor), as_patient=bearer(session, patient))
    session.commit()
    return world


def _move(client, loop, action, who="as_doctor", **body):
    return client.post(f"/v1/referrals/{loop['referral'].id}/transitions", json={"action": action, **body},
                       headers=loop[who])


def test_an_invalid_move_is_409_naming_both_statuses_and_changes_nothing(client, session, loop):
    audits = session.scalar(select(func.count(AuditEvent.id)))
    response = _move(client, loop, "schedule")
    assert response.status_code == 409
    assert response.headers["Content-Type"] == "application/problem+json"
    detail = response.get_json()["detail"]
    assert "current status is requested" in detail and "requested status is scheduled" in detail
    session.expire_all()
    assert session.get(Referral, loop["referral"].id).status is S.REQUESTED
    assert session.scalar(select(func.count(AuditEvent.id))) == audits


def test_every_move_records_actor_and_time_and_the_referrer_sees_each_status(client, session, loop):
    seen = []
    for action, who in (("receive", "as_doctor"), ("request_info", "as_doctor"), ("provide_info", "as_referrer"),
                        ("accept", "as_doctor"), ("schedule", "as_doctor"), ("cancel", "as_referrer")):
        extra = {"needed": ["imaging"]} if action == "request_info" else {}
        assert _move(client, loop, action, who, **extra).status_code == 200, action
        view = client.get(f"/v1/referrals/{loop['referral'].id}", headers=loop["as_referrer"]).get_json()
        seen.append((view["status"], view["business_status"]))
    assert seen == [("received", None), ("received", "info_requested"), ("received", "info_provided"),
                    ("accepted", None), ("scheduled", None), ("cancelled", None)]
    events = session.scalars(select(ReferralEvent).where(ReferralEvent.referral_id == loop["referral"].id)
                             .order_by(ReferralEvent.id)).all()
    assert [(e.from_status, e.to_status) for e in events] == [
        (S.REQUESTED, S.RECEIVED), (S.RECEIVED, S.RECEIVED), (S.RECEIVED, S.RECEIVED), (S.RECEIVED, S.ACCEPTED),
        (S.ACCEPTED, S.SCHEDULED), (S.SCHEDULED, S.CANCELLED)]
    assert all(e.at is not None and e.actor_user_id for e in events)
    assert _move(client, loop, "cancel", "as_referrer").status_code == 409  # cancelled is terminal


def test_the_specialists_first_read_marks_the_referral_received(client, loop):
    assert client.get(f"/v1/referrals/{loop['referral'].id}", headers=loop["as_referrer"]).get_json()["status"] == \
        "requested"
    assert client.get(f"/v1/referrals/{loop['referral'].id}", headers=loop["as_doctor"]).get_json()["status"] == \
        "received"


def test_rejecting_needs_a_reason_and_then_the_case_is_out_of_reach(client, loop):
    _move(client, loop, "receive")
    assert _move(client, loop, "reject").status_code == 422
    rejected = _move(client, loop, "reject", reason="Outside my practice").get_json()
    assert (rejected["status"], rejected["decision_reason"]) == ("rejected", "Outside my practice")
    assert client.get(f"/v1/cases/{loop['case'].id}", headers=loop["as_doctor"]).status_code == 404
    assert client.get(f"/v1/referrals/{loop['referral'].id}", headers=loop["as_doctor"]).status_code == 200


def test_each_side_may_only_do_its_own_actions(client, loop):
    _move(client, loop, "receive")
    assert _move(client, loop, "accept", "as_referrer").status_code == 403
    assert _move(client, loop, "accept", "as_patient").status_code == 403
    assert _move(client, loop, "cancel", "as_doctor").status_code == 403
    assert _move(client, loop, "complete").status_code == 422  # completing is delivering the opinion


def test_request_info_must_name_the_records(client, loop):
    _move(client, loop, "receive")
    assert _move(client, loop, "request_info").status_code == 422


@pytest.mark.parametrize("plan_type, benefit_says, allowed", [
    (PlanType.HMO, None, False), (PlanType.POS, None, False), (PlanType.PPO, None, True),
    (PlanType.EPO, None, True), (PlanType.PPO, True, False), (PlanType.HMO, False, True), (None, None, True),
])
def test_patients_refer_themselves_only_where_their_plan_allows(client, session, plan_type, benefit_says, allowed):
    patient = make_account(session, Role.PATIENT)
    plan = make_network(session, plan_type=plan_type)[1] if plan_type else None
    specialist = make_specialist(session)
    session.flush()
    if benefit_says is not None:
        session.add(PlanBenefit(plan_id=plan.id, referral_required=benefit_says))
    case = make_case(session, creator=patient, patient=patient, plan=plan)
    headers = bearer(session, patient)
    session.commit()
    response = client.post(f"/v1/cases/{case.id}/referrals", json={"specialist_ids": [specialist.id]},
                           headers=headers)
    assert response.status_code == (201 if allowed else 403), response.get_json()


def test_no_second_referral_to_the_same_specialist_nor_to_the_first_physician(client, session, loop):
    first = make_specialist(session)
    session.flush()
    loop["case"].first_physician_npi = first.npi
    session.commit()
    url = f"/v1/cases/{loop['case'].id}/referrals"
    assert client.post(url, json={"specialist_ids": [loop["referral"].specialist_id]},
                       headers=loop["as_referrer"]).status_code == 409
    assert client.post(url, json={"specialist_ids": [first.id]}, headers=loop["as_referrer"]).status_code == 422


def test_two_racing_transitions_cannot_both_win(app, loop):
    # The version column: the slower writer's UPDATE matches no row and fails.
    with app.app_context():
        first, second = db.new_session(), db.new_session()
        # Both read version 1 and end their read transactions, as two racing requests would.
        a = first.get(Referral, loop["referral"].id)
        first.commit()
        b = second.get(Referral, loop["referral"].id)
        second.commit()
        a.status = S.RECEIVED
        first.commit()
        b.status = S.CANCELLED
        with pytest.raises(StaleDataError):
            second.commit()
        first.close(), second.close()
