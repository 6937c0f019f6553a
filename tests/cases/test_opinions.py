"""Opinions: delivery rules, classification, comparison without conflict, and case conferences."""
import pytest

from api.cases.opinions import classify
from api.models import Opinion, ReferralStatus, Role
from tests.cases.factories import bearer, make_account, make_case, make_referral
from tests.factories import make_specialist

AGREE = {"agrees_with_diagnosis": True, "agrees_with_treatment": True, "recommended_plan": "As planned."}


@pytest.mark.parametrize("diagnosis, treatment, expected", [
    (True, True, "agree"), (False, True, "different_diagnosis"), (False, False, "different_diagnosis"),
    (True, False, "same_diagnosis_different_treatment"),
])
def test_classification_against_the_first_physician(diagnosis, treatment, expected):
    assert classify(Opinion(agrees_with_diagnosis=diagnosis, agrees_with_treatment=treatment)) == expected


@pytest.fixture
def panel(session):
    """A case referred to two specialists (both accepted) and a third (only requested)."""
    referrer, patient = make_account(session, Role.REFERRING_PHYSICIAN), make_account(session, Role.PATIENT)
    first, second, third = (make_specialist(session) for _ in range(3))
    session.flush()
    case = make_case(session, creator=referrer, patient=patient, questions=["Q0?", "Q1?"])
    referrals = [make_referral(session, case, s, status) for s, status in (
        (first, ReferralStatus.ACCEPTED), (second, ReferralStatus.ACCEPTED), (third, ReferralStatus.REQUESTED))]
    doctors = [bearer(session, make_account(session, Role.SPECIALIST, specialist=s)) for s in (first, second, third)]
    world = dict(case=case, specialists=(first, second, third), referrals=referrals, doctors=doctors,
                 as_referrer=bearer(session, referrer))
    session.commit()
    return world


def _deliver(client, panel, index, **body):
    return client.post(f"/v1/referrals/{panel['referrals'][index].id}/opinion", json={**AGREE, **body},
                       headers=panel["doctors"][index])


def test_an_opinion_needs_an_accepted_referral_valid_answers_and_comes_once(client, panel):
    assert _deliver(client, panel, 2).status_code == 409  # only requested
    assert _deliver(client, panel, 0, answers=[{"question_index": 2, "answer": "?"}]).status_code == 422
    assert _deliver(client, panel, 0, diagnosis_codes=[{"system": "ORPHA", "code": "0"}]).status_code == 422
    assert _deliver(client, panel, 0, clinical_trials=["trial-7"]).status_code == 422
    assert _deliver(client, panel, 0, answers=[{"question_index": 1, "answer": "No."}]).status_code == 201
    assert _deliver(client, panel, 0).status_code == 409  # completed now
    referral = client.get(f"/v1/referrals/{panel['referrals'][0].id}", headers=panel["as_referrer"]).get_json()
    assert referral["status"] == "completed"


def test_agreeing_opinions_need_no_tie_breaker(client, panel):
    _deliver(client, panel, 0)
    _deliver(client, panel, 1)
    comparison = client.get(f"/v1/cases/{panel['case'].id}/opinions/comparison", headers=panel["as_referrer"])
    body = comparison.get_json()
    assert comparison.status_code == 200 and body["conflict"] is False and body["tie_breaker"] is None
    assert [o["classification"] for o in body["opinions"]] == ["agree", "agree"]
    assert not {row["field"]: row for row in body["rows"]}["classification"]["differs"]


def test_a_different_treatment_is_a_conflict_side_by_side(client, panel):
    _deliver(client, panel, 0)
    _deliver(client, panel, 1, agrees_with_treatment=False, recommended_plan="ATRA and arsenic trioxide.",
             alternatives=["Clinical trial enrolment"])
    body = client.get(f"/v1/cases/{panel['case'].id}/opinions/comparison", headers=panel["as_referrer"]).get_json()
    rows = {row["field"]: row for row in body["rows"]}
    assert body["conflict"] is True and body["tie_breaker"] is not None
    assert rows["treatment"]["values"] == ["ATRA plus chemotherapy", "As planned.", "ATRA and arsenic trioxide."]
    assert rows["classification"]["values"] == [None, "agree", "same_diagnosis_different_treatment"]
    excluded = set(body["tie_breaker"]["excluded_specialist_ids"])
    assert excluded == {s.id for s in panel["specialists"]}


def test_a_specialist_sees_only_their_own_opinion(client, panel):
    _deliver(client, panel, 0)
    _deliver(client, panel, 1)
    mine = client.get(f"/v1/cases/{panel['case'].id}/opinions", headers=panel["doctors"][1]).get_json()
    assert [o["specialist_id"] for o in mine] == [panel["specialists"][1].id]
    everyone = client.get(f"/v1/cases/{panel['case'].id}/opinions", headers=panel["as_referrer"]).get_json()
    assert len(everyone) == 2


def test_a_conference_joins_two_specialists_who_took_the_case(client, panel, sink):
    first, second, third = (s.id for s in panel["specialists"])
    url = f"/v1/cases/{panel['case'].id}/conferences"
    # One who has not accepted the case: a state the case is not in (409); the same one twice: a schema rule (422).
    assert client.post(url, json={"specialist_ids": [first, third]}, headers=panel["as_referrer"]).status_code == 409
    assert client.post(url, json={"specialist_ids": [first, first]}, headers=panel["as_referrer"]).status_code == 422
    made = client.post(url, json={"specialist_ids": [first, second], "note": "Please confer."},
                       headers=panel["as_referrer"])
    assert made.status_code == 201 and made.get_json()["specialist_ids"] == [first, second]
    assert {"topic": "conference.requested", "entity_id": made.get_json()["id"]}.items() <= sink.sent[-1].items()
    assert len(client.get(url, headers=panel["doctors"][1]).get_json()) == 1
