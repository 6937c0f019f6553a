"""Every role against every case endpoint, for a case of its own and for someone else's.

The rule the table encodes: no token 401; a role that may never do the action 403; a case the
caller is not a party to 404 (as if it did not exist); administrators read for support and must
give an X-Access-Reason, or get 403.

Each caller gets a fresh world and walks the endpoints in table order; the order is chosen so
that a caller's own successful writes (schedule, opinion, revocation) do not change the answer of
a later row.
"""
import io

import pytest

from api.models import PlanType, RecordKind, ReferralStatus, Role
from tests.cases.factories import (
    PDF, bearer, case_body, make_account, make_authorization, make_case, make_document, make_referral,
)
from tests.factories import make_network, make_specialist

CALLERS = ("anonymous", "patient", "other_patient", "referrer", "copied_referrer", "other_referrer",
           "specialist", "other_specialist", "admin", "admin_without_reason")
#  endpoint                  anon pat  oPat ref  cc   oRef spec oSpc adm  adm-no-reason
MATRIX = {
    "read case":            (401, 200, 404, 200, 200, 404, 200, 404, 200, 403),
    "list cases":           (401, 200, 200, 200, 200, 200, 200, 200, 200, 403),
    "create case":          (401, 201, 201, 201, 201, 201, 403, 403, 403, 403),
    "match case":           (401, 200, 404, 200, 200, 404, 403, 403, 403, 403),
    "list referrals":       (401, 200, 404, 200, 200, 404, 200, 404, 200, 403),
    "send referral":        (401, 201, 404, 201, 201, 404, 403, 403, 403, 403),
    "read referral":        (401, 200, 404, 200, 200, 404, 200, 404, 200, 403),
    "send draft":           (401, 200, 404, 200, 200, 404, 404, 404, 403, 403),
    "schedule referral":    (401, 403, 404, 403, 403, 404, 200, 404, 403, 403),
    "list records":         (401, 200, 404, 200, 200, 404, 200, 404, 200, 403),
    "upload record":        (401, 201, 404, 201, 201, 404, 403, 403, 403, 403),
    "download record":      (401, 200, 404, 200, 200, 404, 200, 404, 403, 403),
    "list authorizations":  (401, 200, 404, 200, 200, 404, 200, 404, 200, 403),
    "grant authorization":  (401, 201, 404, 403, 403, 403, 403, 403, 403, 403),
    "deliver opinion":      (401, 403, 403, 403, 403, 403, 201, 404, 403, 403),
    "list opinions":        (401, 200, 404, 200, 200, 404, 200, 404, 200, 403),
    "compare opinions":     (401, 200, 404, 200, 200, 404, 403, 403, 200, 403),
    "request conference":   (401, 201, 404, 201, 201, 404, 403, 403, 403, 403),
    "list conferences":     (401, 200, 404, 200, 200, 404, 200, 404, 200, 403),
    "revoke authorization": (401, 200, 404, 403, 403, 403, 403, 403, 403, 403),
    "read timeline":        (401, 200, 404, 200, 200, 404, 403, 403, 200, 403),
    "specialist inbox":     (401, 403, 403, 403, 403, 403, 200, 200, 403, 403),
    "record decision":      (401, 409, 404, 403, 403, 403, 403, 403, 403, 403),
    "audit trail":          (401, 403, 403, 403, 403, 403, 403, 403, 200, 200),
}


def _world(session, app):
    network, ppo = make_network(session, plan_type=PlanType.PPO)
    patient, other_patient = make_account(session, Role.PATIENT), make_account(session, Role.PATIENT)
    referrer, copied, other_referrer = (make_account(session, Role.REFERRING_PHYSICIAN) for _ in range(3))
    referred, colleague, stranger, drafted, spare = (make_specialist(session, networks=[network]) for _ in range(5))
    session.flush()
    case = make_case(session, creator=referrer, patient=patient, plan=ppo, copied=[copied])
    referral = make_referral(session, case, referred, ReferralStatus.ACCEPTED)
    make_referral(session, case, colleague, ReferralStatus.ACCEPTED)
    draft = make_referral(session, case, drafted, ReferralStatus.DRAFT)
    grant = make_authorization(session, case, referred)
    document = make_document(session, app, case, RecordKind.LABS)
    users = {"patient": patient, "other_patient": other_patient, "referrer": referrer, "copied_referrer": copied,
             "other_referrer": other_referrer, "admin": make_account(session, Role.ADMIN),
             "specialist": make_account(session, Role.SPECIALIST, specialist=referred),
             "other_specialist": make_account(session, Role.SPECIALIST, specialist=stranger)}
    ids = dict(case=case.id, referral=referral.id, draft=draft.id, grant=grant.id, document=document.id,
               referred=referred.id, colleague=colleague.id, spare=spare.id, patient=patient.id, referrer=referrer.id)
    tokens = {name: bearer(session, user) for name, user in users.items()}
    session.commit()
    return ids, tokens


def _requests(ids: dict, caller: str) -> dict:
    """(method, path, keyword arguments) per endpoint, for this caller."""
    c = ids["case"]
    patient = {"name": "Pat Example", "birth_date": "1980-05-17", "sex": "female", "zip": "10001"}
    if caller.endswith("referrer"):
        patient["email"] = "invited-patient@cases.test"
    return {
        "read case": ("get", f"/v1/cases/{c}", {}),
        "list cases": ("get", "/v1/cases", {}),
        "create case": ("post", "/v1/cases", {"json": case_body(patient=patient)}),
        "match case": ("post", f"/v1/cases/{c}/matches", {}),
        "list referrals": ("get", f"/v1/cases/{c}/referrals", {}),
        "send referral": ("post", f"/v1/cases/{c}/referrals", {"json": {"specialist_ids": [ids["spare"]]}}),
        "read referral": ("get", f"/v1/referrals/{ids['referral']}", {}),
        "send draft": ("post", f"/v1/referrals/{ids['draft']}/transitions", {"json": {"action": "send"}}),
        "schedule referral": ("post", f"/v1/referrals/{ids['referral']}/transitions", {"json": {"action": "schedule"}}),
        "list records": ("get", f"/v1/cases/{c}/records", {}),
        "upload record": ("post", f"/v1/cases/{c}/records", {"content_type": "multipart/form-data", "data": {
            "kind": "labs", "file": (io.BytesIO(PDF), "labs.pdf")}}),
        "download record": ("get", f"/v1/cases/{c}/records/{ids['document']}", {}),
        "list authorizations": ("get", f"/v1/cases/{c}/authorizations", {}),
        "grant authorization": ("post", f"/v1/cases/{c}/authorizations", {"json": {
            "recipient_specialist_id": ids["colleague"], "expires_at": "2099-01-01T00:00:00Z"}}),
        "deliver opinion": ("post", f"/v1/referrals/{ids['referral']}/opinion", {"json": {
            "agrees_with_diagnosis": True, "agrees_with_treatment": True, "recommended_plan": "As planned."}}),
        "list opinions": ("get", f"/v1/cases/{c}/opinions", {}),
        "compare opinions": ("get", f"/v1/cases/{c}/opinions/comparison", {}),
        "request conference": ("post", f"/v1/cases/{c}/conferences", {"json": {
            "specialist_ids": [ids["referred"], ids["colleague"]]}}),
        "list conferences": ("get", f"/v1/cases/{c}/conferences", {}),
        "revoke authorization": ("post", f"/v1/cases/{c}/authorizations/{ids['grant']}/revocation", {}),
        "read timeline": ("get", f"/v1/cases/{c}/timeline", {}),
        "specialist inbox": ("get", "/v1/inbox", {}),
        "record decision": ("post", f"/v1/cases/{c}/decision", {"json": {
            "path": "first_plan", "physician_user_id": ids["referrer"]}}),
        "audit trail": ("get", "/v1/audit", {}),
    }


def _headers(tokens: dict, caller: str) -> dict:
    if caller == "anonymous":
        return {}
    if caller == "admin":
        return {**tokens["admin"], "X-Access-Reason": "Support ticket 4711"}
    return dict(tokens["admin" if caller == "admin_without_reason" else caller])


@pytest.mark.parametrize("caller", CALLERS)
def test_every_endpoint_answers_the_expected_status(client, session, app, caller):
    ids, tokens = _world(session, app)
    column = CALLERS.index(caller)
    requests = _requests(ids, caller)
    assert set(requests) == set(MATRIX), "every endpoint is in the table"
    got = {}
    for endpoint in MATRIX:
        method, path, kwargs = requests[endpoint]
        got[endpoint] = getattr(client, method)(path, headers=_headers(tokens, caller), **kwargs).status_code
    assert got == {endpoint: row[column] for endpoint, row in MATRIX.items()}


def test_a_case_you_are_not_party_to_looks_exactly_like_a_missing_one(client, session, app):
    ids, tokens = _world(session, app)
    stranger = tokens["other_referrer"]
    hidden = client.get(f"/v1/cases/{ids['case']}", headers=stranger).get_json()
    missing = client.get("/v1/cases/999999", headers=stranger).get_json()
    assert hidden["status"] == missing["status"] == 404
    assert hidden["detail"].replace(str(ids["case"]), "N") == missing["detail"].replace("999999", "N")


def test_listing_shows_only_your_own_cases(client, session, app):
    ids, tokens = _world(session, app)
    for caller, expected in (("patient", [ids["case"]]), ("other_patient", []), ("copied_referrer", [ids["case"]]),
                             ("specialist", [ids["case"]]), ("other_specialist", [])):
        listed = client.get("/v1/cases", headers=tokens[caller]).get_json()
        assert [c["id"] for c in listed["items"]] == expected, caller
