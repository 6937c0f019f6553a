"""A whole second opinion, paid by card, leaves no health data or patient identity in logs or at Stripe.

Marker strings go into every free-text field a patient or doctor fills in; afterwards every log
record (all loggers, at DEBUG), the JSON log output and every request sent to Stripe are scanned.
"""
import io
import logging

from api.models import Role
from api.observability.logging import make_handler
from tests.cases.factories import RARE, RecordingTransport, bearer, case_body, make_account
from tests.payments_support import localstripe, localstripe_url, make_bookable  # noqa: F401  (fixtures)

MARK = {
    "name": "Zyxwname Qvarnstrom", "email": "zyxwmail@example.test", "reason": "ZYXW-REASON-NOTE",
    "diagnosis": "ZYXW-DIAGNOSIS-TEXT", "treatment": "ZYXW-TREATMENT-TEXT", "question": "ZYXW-QUESTION-ONE",
    "goal": "ZYXW-GOAL-TEXT", "doctor": "Dr. Zyxwdoctor", "institution": "ZYXW Memorial", "member": "ZYXW-MEMBER",
    "plan": "ZYXW-RECOMMENDED-PLAN", "answer": "ZYXW-ANSWER-TEXT", "alternative": "ZYXW-ALTERNATIVE",
}


def _ok(response, status=200):
    assert response.status_code == status, response.get_json()
    return response.get_json()


def test_no_marker_reaches_logs_or_stripe(app, client, session, localstripe, caplog):
    stream = io.StringIO()
    handler = make_handler("json", stream)
    logging.getLogger().addHandler(handler)
    caplog.set_level(logging.DEBUG)  # the root logger, so every logger that inherits its level
    try:
        _second_opinion_paid_by_card(app, client, session)
    finally:
        logging.getLogger().removeHandler(handler)

    captured = {"caplog": caplog.text + "\n".join(str(r.__dict__) for r in caplog.records),
                "json log": stream.getvalue(),
                "stripe": "\n".join(f"{method} {url} {body}" for method, url, body in localstripe.sent)}
    assert captured["json log"] and caplog.records and localstripe.sent  # the scans had something to scan
    assert {"api.access", "stripe"} <= {r.name for r in caplog.records}, {r.name for r in caplog.records}
    for where, text in captured.items():
        found = [key for key, marker in MARK.items() if marker.lower() in text.lower()]
        assert not found, f"{found} leaked into the {where}"


def _second_opinion_paid_by_card(app, client, session):
    app.extensions["notification_sink"] = None  # the log sink: it must log ids and statuses only
    app.extensions["mail_transport"] = mailbox = RecordingTransport()  # the patient's invitation
    expert, (slot,) = make_bookable(session, price_cents=30_000, conditions=[(RARE[0], RARE[1], 30)], telehealth=True)
    referrer = make_account(session, Role.REFERRING_PHYSICIAN)
    patient = make_account(session, Role.PATIENT)
    doctor = make_account(session, Role.SPECIALIST, specialist=expert)
    as_referrer, as_patient, as_doctor = bearer(session, referrer), bearer(session, patient), bearer(session, doctor)
    session.commit()

    body = case_body(
        patient={"email": patient.email, "name": MARK["name"], "birth_date": "1979-03-02", "sex": "female",
                 "zip": "10001"},
        first_physician={"name": MARK["doctor"], "institution": MARK["institution"], "diagnosis": MARK["diagnosis"],
                         "proposed_treatment": MARK["treatment"]},
        reason_note=MARK["reason"], questions=[MARK["question"]], goals=[MARK["goal"]])
    cid = _ok(client.post("/v1/cases", json=body, headers=as_referrer), 201)["id"]
    _ok(client.post("/v1/case-invitations/accept", json={"token": mailbox.token()}, headers=as_patient))
    matches = _ok(client.post(f"/v1/cases/{cid}/matches", headers=as_referrer))
    assert expert.id in {c["specialist"]["id"] for c in matches["candidates"]}
    _ok(client.post("/v1/matches", json={"conditions": [{"system": RARE[0], "code": RARE[1]}], "zip": "10001"}))
    (referral,) = _ok(client.post(f"/v1/cases/{cid}/referrals", json={"specialist_ids": [expert.id]},
                                  headers=as_referrer), 201)
    _ok(client.get(f"/v1/referrals/{referral['id']}", headers=as_doctor))
    _ok(client.post(f"/v1/referrals/{referral['id']}/transitions", json={"action": "accept"}, headers=as_doctor))
    _ok(client.post(f"/v1/referrals/{referral['id']}/opinion", headers=as_doctor, json={
        "diagnosis_codes": [{"system": RARE[0], "code": RARE[1]}], "agrees_with_diagnosis": False,
        "agrees_with_treatment": False, "recommended_plan": MARK["plan"], "alternatives": [MARK["alternative"]],
        "answers": [{"question_index": 0, "answer": MARK["answer"]}]}), 201)
    hold = _ok(client.post(f"/v1/slots/{slot.id}/hold", headers={**as_patient, "Idempotency-Key": "phi-hold-1"},
                           json={"payment_method": "pm_card_visa"}), 201)
    assert hold["payment"]["status"] == "authorised"
    # A failing request logs too: an unexpected error must not echo what was sent.
    client.post(f"/v1/cases/{cid}/referrals", json={"specialist_ids": [expert.id], "note": MARK["diagnosis"]},
                headers=as_referrer)
