"""The whole journey over HTTP, every party joining by e-mail: no database shortcut after the app's setup.

Setup gives the app a demo administrator, the Stripe twin, a records folder and a real SMTP server on
loopback; the directory is entered by the administrator through the API and clinic slots come from the
operator's `generate-slots` command. Everything else is an HTTP call or a message the SMTP server received:
a patient and a referring physician register, the physician invites the patient to a case, the case is
matched, the two best specialists are invited and claim their profiles, each accepts, reads the released
records, is booked (and paid) against the referral and gives an opinion; the opinions disagree, a third
invited specialist breaks the tie, the patient chooses, and the timeline shows it all in order.
"""
from __future__ import annotations

import io

from api.identifiers import make_npi
from tests.cases.factories import PDF

PASSWORD = "a long enough passphrase"
BASE = "http://127.0.0.1:8000"
HEMATOLOGY_ONCOLOGY = "207RH0003X"
# Marker strings of the case: none may appear in any message the SMTP server received.
DIAGNOSIS = "Acute promyelocytic leukemia, marker DX-77413"
NOTE = "Marker NOTE-55190: worried about the induction"
TREATMENT = "ATRA plus idarubicin, marker TX-31337"


def _ok(response, status=200):
    assert response.status_code == status, (response.status_code, response.get_json())
    return response.get_json()


def _login(client, email, password=PASSWORD) -> dict:
    token = _ok(client.post("/v1/auth/token", json={"email": email, "password": password}), 201)["access_token"]
    return {"Authorization": f"Bearer {token}"}


def _follow(client, mail, address, count=1):
    """Open the link of the latest message to `address` (the API path after the public base URL)."""
    message = mail.wait_for(address, count)[-1]
    link = next(line for line in message.get_content().splitlines() if "token=" in line).strip()
    assert link.startswith(BASE)
    return link.removeprefix(BASE)


def _directory(client, admin):
    """The administrator enters the referring physician's record and four experts, through the API."""
    def add(n, first, last, *, expert, cases=0):
        body = {"npi": make_npi(770000000 + n), "first_name": first, "last_name": last, "credentials": "MD",
                "data_source": "synthetic" if expert else "manual", "accepts_second_opinions": expert,
                "telehealth": True, "self_pay_price_cents": 45000 if expert else None,
                "specialties": [{"code": HEMATOLOGY_ONCOLOGY if expert else "207Q00000X", "primary": True}],
                "conditions": [{"system": "ORPHA", "code": "520", "cases_per_year": cases}] if expert else []}
        specialist = _ok(client.post("/v1/specialists", json=body, headers=admin), 201)
        _ok(client.post(f"/v1/specialists/{specialist['id']}/locations", headers=admin, json={"location": {
            "address_line": f"{n} Main Street", "city": "New York", "state": "NY", "zip": "10001"}}), 201)
        return specialist
    physician = add(1, "Ada", "Lovelace", expert=False)
    experts = [add(2, "Grace", "Hopper", expert=True, cases=90), add(3, "Barbara", "Liskov", expert=True, cases=80),
               add(4, "Frances", "Allen", expert=True, cases=10)]
    return physician, experts


def _claim(client, mail, admin, npi) -> dict:
    """The administrator invites a specialist, who claims the profile from the mailed link and signs in."""
    report = _ok(client.post("/v1/admin/specialist-invitations", json={"npis": [npi]}, headers=admin), 202)
    address = report["invited"][0]["email"]
    token = _follow(client, mail, address).split("token=")[1]
    _ok(client.post("/v1/accounts/specialist-claims", json={"token": token, "password": PASSWORD}), 201)
    return _login(client, address)


def _consult(client, w, referral_id, specialist_id, doctor, opinion):
    """The specialist accepts, the patient releases the records and books; the specialist reads and answers."""
    cid = w["case_id"]
    assert _ok(client.get(f"/v1/referrals/{referral_id}", headers=doctor))["status"] == "received"
    _ok(client.post(f"/v1/referrals/{referral_id}/transitions", json={"action": "accept"}, headers=doctor))
    _ok(client.post(f"/v1/cases/{cid}/authorizations", headers=w["patient"], json={
        "recipient_specialist_id": specialist_id, "scope": ["all"], "expires_at": "2099-01-01T00:00:00Z"}), 201)
    inbox = _ok(client.get("/v1/inbox", headers=doctor))
    mine = next(item for item in inbox["items"] if item["referral_id"] == referral_id)
    assert [d["id"] for d in mine["documents"]] == [w["document_id"]]
    download = client.get(f"/v1/cases/{cid}/records/{w['document_id']}", headers=doctor)
    assert download.status_code == 200 and download.data == PDF
    slot = _ok(client.get(f"/v1/slots?specialist_id={specialist_id}"))[0]
    held = _ok(client.post(f"/v1/slots/{slot['id']}/hold", headers={**w["patient"], "Idempotency-Key": f"r{referral_id}"},
                           json={"payment_method": "pm_card_visa", "referral_id": referral_id}), 201)
    booked = _ok(client.post(f"/v1/bookings/{held['id']}/confirm", headers=w["patient"]))
    assert (booked["status"], booked["referral_id"], booked["case_id"]) == ("confirmed", referral_id, cid)
    assert booked["payment"]["status"] == "captured"
    return _ok(client.post(f"/v1/referrals/{referral_id}/opinion", json=opinion, headers=doctor), 201)


def test_a_second_opinion_from_registration_to_the_chosen_path(app, client, mail, records, demo_admin, fake_stripe):
    admin = _login(client, *demo_admin)
    physician_record, experts = _directory(client, admin)
    assert app.test_cli_runner().invoke(args=["generate-slots", "--days", "7"]).exit_code == 0

    # A patient registers and confirms the address by the mailed link.
    _ok(client.post("/v1/accounts/patients", json={"email": "pat@journey.test", "password": PASSWORD,
                                                   "display_name": "Pat Journey"}), 202)
    _ok(client.get(_follow(client, mail, "pat@journey.test")))
    patient = _login(client, "pat@journey.test")

    # A referring physician registers with the NPI on their record, confirms, and an admin verifies them.
    _ok(client.post("/v1/accounts/physicians", json={
        "email": "ada@journey.test", "password": PASSWORD, "npi": physician_record["npi"],
        "first_name": "Ada", "last_name": "Lovelace", "display_name": "Dr. Ada Lovelace"}), 202)
    _ok(client.get(_follow(client, mail, "ada@journey.test")))
    physician = _login(client, "ada@journey.test")
    pending = _ok(client.get("/v1/admin/users?status=pending_physician", headers=admin))["items"]
    _ok(client.post(f"/v1/admin/users/{pending[0]['id']}/physician-verification", headers=admin))

    # The physician invites the patient to a case; the patient accepts it from the mailed link.
    case = _ok(client.post("/v1/cases", headers=physician, json={
        "patient": {"email": "pat@journey.test", "name": "Pat Journey", "birth_date": "1980-05-17", "sex": "female",
                    "zip": "10001"},
        "conditions": [{"system": "ORPHA", "code": "520"}], "specialty": HEMATOLOGY_ONCOLOGY,
        "first_physician": {"name": "Dr. First", "diagnosis": DIAGNOSIS, "proposed_treatment": TREATMENT},
        "reasons": ["rare_condition"], "reason_note": NOTE, "urgency": "soon", "insurance": {"self_pay": True},
        "questions": ["Is chemotherapy needed?"], "preferences": {"languages": ["en"], "telehealth": True}}), 201)
    assert case["status"] == "invited" and case["invitation"]["status"] == "pending"
    cid = case["id"]
    token = _follow(client, mail, "pat@journey.test", count=2).split("token=")[1]
    assert _ok(client.post("/v1/case-invitations/accept", json={"token": token}, headers=patient))["status"] == "open"
    document = _ok(client.post(f"/v1/cases/{cid}/records", headers=physician, content_type="multipart/form-data",
                               data={"kind": "pathology_report", "file": (io.BytesIO(PDF), "pathology.pdf")}), 201)
    w = dict(case_id=cid, patient=patient, document_id=document["id"])

    # The case is matched; the admin invites the top two, who claim their profiles; the physician refers to both.
    matches = _ok(client.post(f"/v1/cases/{cid}/matches", headers=physician))
    top_two = [c["specialist"] for c in matches["candidates"][:2]]
    assert {s["id"] for s in top_two} == {experts[0]["id"], experts[1]["id"]}  # the third has seen fewer cases
    doctors = [_claim(client, mail, admin, s["npi"]) for s in top_two]
    sent = _ok(client.post(f"/v1/cases/{cid}/referrals", headers=physician,
                           json={"specialist_ids": [s["id"] for s in top_two]}), 201)

    # Each accepts, reads the released records, is booked and paid for against the referral, and answers.
    agree = _consult(client, w, sent[0]["id"], top_two[0]["id"], doctors[0], {
        "agrees_with_diagnosis": True, "agrees_with_treatment": True, "recommended_plan": "Proceed as planned."})
    differ = _consult(client, w, sent[1]["id"], top_two[1]["id"], doctors[1], {
        "agrees_with_diagnosis": False, "agrees_with_treatment": False,
        "recommended_plan": "Repeat the marrow with cytogenetics first."})
    assert (agree["classification"], differ["classification"]) == ("agree", "different_diagnosis")

    # The comparison asks for a tie-breaker; the third expert is invited, claims the profile and answers.
    comparison = _ok(client.get(f"/v1/cases/{cid}/opinions/comparison", headers=patient))
    assert comparison["conflict"] is True
    third = comparison["tie_breaker"]["match"]["candidates"][0]["specialist"]
    assert third["id"] == experts[2]["id"]
    tie_doctor = _claim(client, mail, admin, third["npi"])
    (tie_referral,) = _ok(client.post(f"/v1/cases/{cid}/referrals", headers=physician,
                                      json={"specialist_ids": [third["id"]]}), 201)
    _ok(client.get(f"/v1/referrals/{tie_referral['id']}", headers=tie_doctor))
    _ok(client.post(f"/v1/referrals/{tie_referral['id']}/transitions", json={"action": "accept"}, headers=tie_doctor))
    tie = _ok(client.post(f"/v1/referrals/{tie_referral['id']}/opinion", headers=tie_doctor, json={
        "agrees_with_diagnosis": False, "agrees_with_treatment": False,
        "recommended_plan": "Repeat the marrow; then arsenic trioxide."}), 201)

    # The patient follows the tie-breaker and continues with its author, who is told; the case closes.
    tie_address = f"npi-{third['npi']}@specialists.secondlook.test"
    before = len(mail.received(tie_address))
    _ok(client.post(f"/v1/cases/{cid}/decision", headers=patient, json={
        "path": "tie_breaker", "opinion_id": tie["id"], "specialist_id": third["id"]}), 201)
    told = mail.wait_for(tie_address, before + 1)[-1]
    assert "chosen how to continue their care with you" in told.get_content() and f"/v1/cases/{cid}" in told.get_content()
    assert client.post(f"/v1/cases/{cid}/referrals", headers=physician,
                       json={"specialist_ids": [experts[0]["id"]]}).status_code == 409

    # The timeline shows every step in order, with who did it, to the patient and to the physician.
    for reader in (patient, physician):
        timeline = _ok(client.get(f"/v1/cases/{cid}/timeline", headers=reader))
        steps = [(e["step"], e["actor_role"]) for e in timeline["entries"]]
        consult = [("referral_accepted", "specialist"), ("records_released", "patient"), ("booked", "patient"),
                   ("paid", "patient"), ("opinion_delivered", "specialist")]
        assert steps == [("created", "referring_physician"), ("patient_accepted", "patient"),
                         ("matched", "referring_physician"), ("referred", "referring_physician"),
                         ("referred", "referring_physician"), *consult, *consult, ("compared", "patient"),
                         ("tie_breaker_referred", "referring_physician"), ("referral_accepted", "specialist"),
                         ("tie_breaker_delivered", "specialist"), ("chosen_path", "patient")]
        assert timeline["status"] == "closed"
        assert timeline["entries"][0]["actor_name"] == "Dr. Ada Lovelace"
        assert timeline["entries"][-1]["detail"]["path"] == "tie_breaker"

    # Every message the SMTP server received is free of the case's marker strings.
    received = mail.received()
    subjects = {m["Subject"] for m in received}
    assert {"Confirm your e-mail address", "Claim your SecondLook specialist profile",
            "SecondLook: A physician has invited you to share a case with them", "SecondLook: You have a new referral",
            "SecondLook: A second opinion has been delivered",
            "SecondLook: A patient has chosen how to continue their care with you"} <= subjects
    for message in received:
        text = (message["Subject"] + message.get_content()).lower()
        assert not any(marker.lower() in text for marker in (DIAGNOSIS, NOTE, TREATMENT, "DX-77413", "NOTE-55190"))
