"""A case carried through: the specialist's inbox, the one timeline, the patient's decision, the emergent warning."""
import pytest

from api.models import RecordKind, ReferralStatus, Role, Urgency
from search.ranking import EMERGENT_WARNING
from tests.cases.factories import (
    bearer, case_body, make_account, make_authorization, make_case, make_document, make_referral,
)
from tests.factories import make_specialist

AGREE = {"agrees_with_diagnosis": True, "agrees_with_treatment": True, "recommended_plan": "Proceed as planned."}
DIFFER = {"agrees_with_diagnosis": False, "agrees_with_treatment": False, "recommended_plan": "Repeat the marrow."}


@pytest.fixture
def world(session):
    """A referrer's open case for a patient, and three specialists with accounts."""
    patient, referrer = make_account(session, Role.PATIENT), make_account(session, Role.REFERRING_PHYSICIAN)
    specialists = [make_specialist(session) for _ in range(3)]
    session.flush()
    doctors = [make_account(session, Role.SPECIALIST, specialist=s) for s in specialists]
    case = make_case(session, creator=referrer, patient=patient)
    world = dict(case=case, patient=patient, referrer=referrer, specialists=specialists, doctors=doctors,
                 as_patient=bearer(session, patient), as_referrer=bearer(session, referrer),
                 as_doctors=[bearer(session, d) for d in doctors])
    session.commit()
    return world


def _ok(response, status=200):
    assert response.status_code == status, response.get_json()
    return response.get_json()


def _refer_and_answer(client, w, index, opinion):
    """The referrer sends the case to specialist `index`, who opens, accepts and delivers `opinion`."""
    sent = _ok(client.post(f"/v1/cases/{w['case'].id}/referrals", headers=w["as_referrer"],
                           json={"specialist_ids": [w["specialists"][index].id]}), 201)
    rid, doctor = sent[0]["id"], w["as_doctors"][index]
    _ok(client.get(f"/v1/referrals/{rid}", headers=doctor))
    _ok(client.post(f"/v1/referrals/{rid}/transitions", json={"action": "accept"}, headers=doctor))
    return _ok(client.post(f"/v1/referrals/{rid}/opinion", json=opinion, headers=doctor), 201)


def _two_conflicting_opinions_and_a_tie_breaker(client, w):
    cid = w["case"].id
    _ok(client.post(f"/v1/cases/{cid}/matches", headers=w["as_referrer"]))
    first = _refer_and_answer(client, w, 0, AGREE)
    second = _refer_and_answer(client, w, 1, DIFFER)
    assert _ok(client.get(f"/v1/cases/{cid}/opinions/comparison", headers=w["as_patient"]))["conflict"] is True
    third = _refer_and_answer(client, w, 2, DIFFER)
    return first, second, third


def test_timeline_from_intake_to_the_chosen_path(client, world, mailbox):
    w, cid = world, world["case"].id
    _, _, tie_breaker = _two_conflicting_opinions_and_a_tie_breaker(client, w)
    _ok(client.post(f"/v1/cases/{cid}/decision", headers=w["as_patient"], json={
        "path": "tie_breaker", "opinion_id": tie_breaker["id"], "specialist_id": w["specialists"][2].id}), 201)

    for reader in ("as_patient", "as_referrer"):
        timeline = _ok(client.get(f"/v1/cases/{cid}/timeline", headers=w[reader]))
        steps = [e["step"] for e in timeline["entries"]]
        assert steps == ["created", "matched",
                         "referred", "referral_accepted", "opinion_delivered",
                         "referred", "referral_accepted", "opinion_delivered", "compared",
                         "tie_breaker_referred", "referral_accepted", "tie_breaker_delivered", "chosen_path"]
        assert [e["at"] for e in timeline["entries"]] == sorted(e["at"] for e in timeline["entries"])
        assert timeline["status"] == "closed"
    entries = timeline["entries"]
    assert entries[0]["actor_role"] == "referring_physician" and entries[0]["actor_name"] == w["referrer"].display_name
    assert entries[-1]["actor_role"] == "patient"
    assert entries[-1]["detail"] == {"path": "tie_breaker", "physician": w["doctors"][2].display_name,
                                     "case_status": "closed"}
    assert entries[9]["specialist_id"] == w["specialists"][2].id and entries[9]["specialist_name"].startswith("Dr. ")
    assert all("recommended_plan" not in e["detail"] for e in entries)
    assert client.get(f"/v1/cases/{cid}/timeline", headers=w["as_doctors"][0]).status_code == 403


def test_the_decision_closes_the_case_and_tells_the_physician(client, world, mailbox):
    w, cid = world, world["case"].id
    first, _, _ = _two_conflicting_opinions_and_a_tie_breaker(client, w)
    too_early_mails = len(mailbox.sent)
    decided = _ok(client.post(f"/v1/cases/{cid}/decision", headers=w["as_patient"], json={
        "path": "second_opinion", "opinion_id": first["id"], "physician_user_id": w["referrer"].id}), 201)
    assert decided["path"] == "second_opinion" and decided["physician_user_id"] == w["referrer"].id
    (to, subject, body), = mailbox.sent[too_early_mails:]
    assert to == w["referrer"].email and f"/cases/{cid}" in body
    assert not any(word in (subject + body) for word in ("APL", "ATRA", "Repeat the marrow", "Proceed as planned"))

    assert _ok(client.get(f"/v1/cases/{cid}", headers=w["as_patient"]))["status"] == "closed"
    again = client.post(f"/v1/cases/{cid}/decision", headers=w["as_patient"], json={
        "path": "first_plan", "physician_user_id": w["referrer"].id})
    more = client.post(f"/v1/cases/{cid}/referrals", headers=w["as_referrer"],
                       json={"specialist_ids": [w["specialists"][0].id]})
    assert again.status_code == more.status_code == 409 and "closed" in more.get_json()["detail"]
    assert len(mailbox.sent) == too_early_mails + 1


@pytest.mark.parametrize("body, field", [
    ({"path": "tie_breaker", "opinion": 0, "physician": "referrer"}, "opinion_id"),  # not the tie-breaker's
    ({"path": "second_opinion", "opinion": 2, "physician": "referrer"}, "opinion_id"),  # that one is the tie-breaker
    ({"path": "first_plan", "opinion": 0, "physician": "referrer"}, "opinion_id"),
    ({"path": "first_plan", "physician": "patient"}, "physician_user_id"),
])
def test_the_decision_must_fit_its_opinions_and_physician(client, world, body, field):
    w = world
    opinions = _two_conflicting_opinions_and_a_tie_breaker(client, w)
    payload = {"path": body["path"], "physician_user_id": w[body["physician"]].id}
    if "opinion" in body:
        payload["opinion_id"] = opinions[body["opinion"]]["id"]
    refused = client.post(f"/v1/cases/{w['case'].id}/decision", headers=w["as_patient"], json=payload)
    assert refused.status_code == 422 and field in refused.get_json()["errors"]["json"], refused.get_json()


def test_no_decision_before_an_opinion(client, world):
    refused = client.post(f"/v1/cases/{world['case'].id}/decision", headers=world["as_patient"],
                          json={"path": "first_plan", "physician_user_id": world["referrer"].id})
    assert refused.status_code == 409


def test_the_inbox_lists_my_referrals_most_urgent_first_with_the_records_i_may_read(client, session, app, world):
    w, me = world, world["specialists"][0]
    routine = make_case(session, creator=w["referrer"], patient=w["patient"])
    emergent = make_case(session, creator=w["referrer"], patient=w["patient"])
    routine.urgency, emergent.urgency = Urgency.ROUTINE, Urgency.EMERGENT
    for case in (routine, w["case"], emergent):
        make_referral(session, case, me, ReferralStatus.ACCEPTED)
    make_referral(session, emergent, w["specialists"][1], ReferralStatus.ACCEPTED)  # someone else's
    make_referral(session, routine, me, ReferralStatus.DRAFT)  # not sent: not mine to see
    make_authorization(session, emergent, me, scope=["labs"])
    labs = make_document(session, app, emergent, RecordKind.LABS)
    make_document(session, app, emergent, RecordKind.IMAGING)
    session.commit()

    page = _ok(client.get("/v1/inbox", headers=w["as_doctors"][0]))
    assert [item["case"]["urgency"] for item in page["items"]] == ["emergent", "soon", "routine"]
    assert page["total"] == 3
    top = page["items"][0]
    assert [d["id"] for d in top["documents"]] == [labs.id] and top["authorization"]["scope"] == ["labs"]
    assert top["warnings"] == [EMERGENT_WARNING] and page["items"][1]["warnings"] == []
    assert page["items"][1]["documents"] == [] and page["items"][1]["authorization"] is None
    only = _ok(client.get("/v1/inbox?urgency=routine&status=accepted", headers=w["as_doctors"][0]))
    assert [item["case"]["id"] for item in only["items"]] == [routine.id]
    assert client.get("/v1/inbox?status=draft", headers=w["as_doctors"][0]).status_code == 422


def test_every_answer_about_an_emergent_case_carries_the_warning(client, world):
    w = world
    made = _ok(client.post("/v1/cases", json=case_body(urgency="emergent"), headers=w["as_patient"]), 201)
    cid = made["id"]
    answers = [made, _ok(client.get(f"/v1/cases/{cid}", headers=w["as_patient"])),
               _ok(client.get(f"/v1/cases/{cid}/timeline", headers=w["as_patient"])),
               _ok(client.post(f"/v1/cases/{cid}/matches", headers=w["as_patient"]))]
    listed = _ok(client.get("/v1/cases", headers=w["as_patient"]))["items"]
    answers.append(next(item for item in listed if item["id"] == cid))
    assert all(answer["warnings"] == [EMERGENT_WARNING] for answer in answers)
    routine = next(item for item in listed if item["id"] == w["case"].id)
    assert routine["warnings"] == []


def test_the_decision_withdraws_referrals_still_waiting_but_not_a_scheduled_consultation(client, world, sink):
    w, cid = world, world["case"].id
    first = _refer_and_answer(client, w, 0, AGREE)
    [waiting] = _ok(client.post(f"/v1/cases/{cid}/referrals", headers=w["as_referrer"],
                                json={"specialist_ids": [w["specialists"][1].id]}), 201)
    [booked] = _ok(client.post(f"/v1/cases/{cid}/referrals", headers=w["as_referrer"],
                               json={"specialist_ids": [w["specialists"][2].id]}), 201)
    doctor = w["as_doctors"][2]
    for action in ("accept", "schedule"):
        _ok(client.get(f"/v1/referrals/{booked['id']}", headers=doctor))
        _ok(client.post(f"/v1/referrals/{booked['id']}/transitions", json={"action": action}, headers=doctor))
    sink.sent.clear()

    _ok(client.post(f"/v1/cases/{cid}/decision", headers=w["as_patient"], json={
        "path": "second_opinion", "opinion_id": first["id"], "physician_user_id": w["referrer"].id}), 201)

    statuses = {r["id"]: r["status"] for r in _ok(client.get(f"/v1/cases/{cid}/referrals", headers=w["as_referrer"]))}
    assert statuses == {first["referral_id"]: "completed", waiting["id"]: "cancelled", booked["id"]: "scheduled"}
    assert [(n["entity_id"], n["status"]) for n in sink.sent] == [(waiting["id"], "cancelled")]
    inbox = _ok(client.get("/v1/inbox", headers=w["as_doctors"][1], query_string={"status": "requested"}))
    assert inbox["items"] == []  # no longer waiting on them
