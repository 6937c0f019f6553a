"""A second opinion from intake to tie-breaker, through HTTP only.

A referring physician opens a case for a patient with a rare condition on an HMO plan, matches it
(the first doctor excluded), refers it to two specialists who accept, records are uploaded under
the patient's authorization, two opinions arrive and disagree, and the comparison proposes a
tie-breaker from a third institution.
"""
import hashlib
import io

from api.models import PlanType, Role
from tests.cases.factories import PDF, RARE, bearer, case_body, make_account
from tests.factories import make_institution, make_network, make_specialist

HEMATOLOGY_ONCOLOGY = "207RH0003X"


def _expert(session, institution, network):
    specialist = make_specialist(session, specialty=HEMATOLOGY_ONCOLOGY, institution=institution,
                                 networks=[network], conditions=[(RARE[0], RARE[1], 40)], telehealth=True)
    session.flush()
    return specialist


def _world(session):
    network, hmo = make_network(session, plan_type=PlanType.HMO)
    first_site, site_1, site_2, site_3 = (make_institution(session, name) for name in (
        "Mercy General", "Northeast Cancer Institute", "Hudson Academic Medical Center", "Lakeside University Hospital"))
    first = _expert(session, first_site, network)
    a1, a1_colleague, a2, a3 = (_expert(session, site, network) for site in (site_1, site_1, site_2, site_3))
    referrer, patient = make_account(session, Role.REFERRING_PHYSICIAN), make_account(session, Role.PATIENT)
    doctors = {s: make_account(session, Role.SPECIALIST, specialist=s) for s in (a1, a2)}
    world = dict(hmo=hmo, first=first, a1=a1, a1_colleague=a1_colleague, a2=a2, a3=a3, patient=patient,
                 sites=(first_site, site_1, site_2, site_3),
                 as_referrer=bearer(session, referrer), as_patient=bearer(session, patient),
                 as_a1=bearer(session, doctors[a1]), as_a2=bearer(session, doctors[a2]))
    session.commit()
    return world


def _ok(response, status=200):
    assert response.status_code == status, response.get_json()
    return response.get_json()


def test_second_opinion_from_intake_to_tie_breaker(client, session, sink, mailbox):
    w = _world(session)
    first_site, site_1, site_2, site_3 = w["sites"]

    # 1. Intake by the referring physician, who invites the patient by e-mail, on an HMO plan.
    body = case_body(
        patient={"email": w["patient"].email, "name": "Pat Example", "birth_date": "1980-05-17", "sex": "female",
                 "zip": "10001"},
        insurance={"plan_id": w["hmo"].id, "member_id": "HMO-778899"},
        first_physician={"name": "Dr. First", "npi": w["first"].npi, "institution": "Mercy General",
                         "diagnosis": "Acute promyelocytic leukemia", "proposed_treatment": "ATRA plus chemotherapy"},
        questions=["Is chemotherapy needed?", "Can I be treated near home?"])
    case = _ok(client.post("/v1/cases", json=body, headers=w["as_referrer"]), 201)
    assert case["insurance"]["plan_type"] == "HMO" and case["invitation"]["status"] == "pending"
    cid = case["id"]
    token = mailbox.token()
    accepted = _ok(client.post("/v1/case-invitations/accept", json={"token": token}, headers=w["as_patient"]))
    assert accepted["patient"]["user_id"] == w["patient"].id and accepted["status"] == "open"

    # 2. An HMO patient may not refer themself.
    refused = client.post(f"/v1/cases/{cid}/referrals", json={"specialist_ids": [w["a1"].id]},
                          headers=w["as_patient"])
    assert refused.status_code == 403 and "referral" in refused.get_json()["detail"]

    # 3. Matching never proposes the first doctor or anyone at their institution.
    matches = _ok(client.post(f"/v1/cases/{cid}/matches", headers=w["as_referrer"]))
    found = {c["specialist"]["id"] for c in matches["candidates"]}
    assert w["first"].id not in found
    assert {w["a1"].id, w["a1_colleague"].id, w["a2"].id, w["a3"].id} <= found
    assert all(c["specialist"]["institution"]["id"] != first_site.id for c in matches["candidates"])

    # 4. Refer to two specialists at two institutions; each opens and answers.
    sent = _ok(client.post(f"/v1/cases/{cid}/referrals", json={"specialist_ids": [w["a1"].id, w["a2"].id]},
                           headers=w["as_referrer"]), 201)
    r1, r2 = (r["id"] for r in sent)
    assert [r["status"] for r in sent] == ["requested", "requested"]
    assert _ok(client.get(f"/v1/referrals/{r1}", headers=w["as_a1"]))["status"] == "received"
    _ok(client.post(f"/v1/referrals/{r1}/transitions", json={"action": "accept"}, headers=w["as_a1"]))
    _ok(client.get(f"/v1/referrals/{r2}", headers=w["as_a2"]))
    asked = _ok(client.post(f"/v1/referrals/{r2}/transitions",
                            json={"action": "request_info", "needed": ["pathology_slides"]}, headers=w["as_a2"]))
    assert asked["business_status"] == "info_requested" and asked["info_needed"] == ["pathology_slides"]
    _ok(client.post(f"/v1/referrals/{r2}/transitions", json={"action": "provide_info", "reason": "Slides couriered"},
                    headers=w["as_referrer"]))
    _ok(client.post(f"/v1/referrals/{r2}/transitions", json={"action": "accept"}, headers=w["as_a2"]))

    # 5. Records: the patient authorizes both, the referrer uploads, a specialist downloads.
    for specialist in (w["a1"], w["a2"]):
        _ok(client.post(f"/v1/cases/{cid}/authorizations", headers=w["as_patient"], json={
            "recipient_specialist_id": specialist.id, "scope": ["all"], "expires_at": "2099-01-01T00:00:00Z"}), 201)
    uploaded = _ok(client.post(f"/v1/cases/{cid}/records", headers=w["as_referrer"], content_type="multipart/form-data",
                               data={"kind": "pathology_report", "file": (io.BytesIO(PDF), "path.pdf")}),
                   201)
    assert uploaded["sha256"] == hashlib.sha256(PDF).hexdigest()
    packet = _ok(client.get(f"/v1/cases/{cid}/records", headers=w["as_a1"]))
    assert [d["id"] for d in packet["documents"]] == [uploaded["id"]]
    assert {"pathology_report", "pathology_slides", "genetic_testing"} <= {i["kind"] for i in packet["checklist"]}
    download = client.get(f"/v1/cases/{cid}/records/{uploaded['id']}", headers=w["as_a1"])
    assert download.status_code == 200 and download.data == PDF

    # 6. Two opinions that disagree.
    agree = _ok(client.post(f"/v1/referrals/{r1}/opinion", headers=w["as_a1"], json={
        "diagnosis_codes": [{"system": "ORPHA", "code": "520"}], "agrees_with_diagnosis": True,
        "agrees_with_treatment": True, "recommended_plan": "Proceed as planned.",
        "answers": [{"question_index": 0, "answer": "Yes, with ATRA."}]}), 201)
    differ = _ok(client.post(f"/v1/referrals/{r2}/opinion", headers=w["as_a2"], json={
        "diagnosis_codes": [{"system": "ICD-10-CM", "code": "C92.0"}], "agrees_with_diagnosis": False,
        "agrees_with_treatment": False, "recommended_plan": "Repeat the marrow with cytogenetics first.",
        "clinical_trials": ["NCT01234567"]}), 201)
    assert (agree["classification"], differ["classification"]) == ("agree", "different_diagnosis")

    # 7. The comparison sees the conflict and proposes a tie-breaker from a third institution.
    comparison = _ok(client.get(f"/v1/cases/{cid}/opinions/comparison", headers=w["as_referrer"]))
    assert comparison["conflict"] is True
    assert comparison["columns"] == ["first_physician", f"opinion:{agree['id']}", f"opinion:{differ['id']}"]
    rows = {row["field"]: row for row in comparison["rows"]}
    assert rows["diagnosis_codes"]["values"] == [["ORPHA:520"], ["ORPHA:520"], ["ICD-10-CM:C92.0"]]
    assert rows["diagnosis_codes"]["differs"] and rows["agrees_with_diagnosis"]["differs"]
    tie = comparison["tie_breaker"]
    assert {w["first"].id, w["a1"].id, w["a2"].id} <= set(tie["excluded_specialist_ids"])
    assert {first_site.id, site_1.id, site_2.id} <= set(tie["excluded_institution_ids"])
    proposed = [c["specialist"] for c in tie["match"]["candidates"]]
    assert [s["id"] for s in proposed] == [w["a3"].id] and proposed[0]["institution"]["id"] == site_3.id

    # 8. The referring physician sees every status and who moved it.
    referrals = _ok(client.get(f"/v1/cases/{cid}/referrals", headers=w["as_referrer"]))
    assert [r["status"] for r in referrals] == ["completed", "completed"]
    assert [e["action"] for e in referrals[0]["events"]] == ["create", "send", "receive", "accept", "complete"]
    assert all(e["actor_user_id"] and e["at"] for r in referrals for e in r["events"])
    assert {(n["entity_id"], n["status"]) for n in sink.sent} >= {(r1, "completed"), (r2, "completed")}
