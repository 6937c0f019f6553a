"""Every read and write of case data leaves an audit event; administrators read them back, filtered."""
from datetime import timedelta
from urllib.parse import quote

from sqlalchemy import func, select

from api.db import utcnow
from api.models import AuditEvent, ReferralStatus, Role
from tests.cases.factories import bearer, make_account, make_case, make_referral
from tests.cases.test_authorization_matrix import MATRIX, _headers, _requests, _world
from tests.factories import make_specialist


def _count(session) -> int:
    session.commit()  # a fresh snapshot: the requests commit in sessions of their own
    return session.scalar(select(func.count(AuditEvent.id)))


def test_every_successful_case_request_writes_an_audit_event(client, session, app):
    ids, tokens = _world(session, app)
    for caller in ("referrer", "specialist", "admin"):
        requests = _requests(ids, caller)
        for endpoint in MATRIX:
            if endpoint == "audit trail":  # the trail itself is not case data
                continue
            method, path, kwargs = requests[endpoint]
            before = _count(session)
            status = getattr(client, method)(path, headers=_headers(tokens, caller), **kwargs).status_code
            if status < 300:
                assert _count(session) > before, (caller, endpoint)
            else:
                assert _count(session) == before, (caller, endpoint, status)


def test_an_event_says_who_what_when_and_why_and_nothing_of_the_case(client, session):
    referrer, patient = make_account(session, Role.REFERRING_PHYSICIAN), make_account(session, Role.PATIENT)
    case = make_case(session, creator=referrer, patient=patient)
    headers = {**bearer(session, referrer), "X-Access-Reason": "Preparing the tumour board"}
    session.commit()
    assert client.get(f"/v1/cases/{case.id}", headers=headers).status_code == 200
    event = session.scalars(select(AuditEvent)).one()
    assert (event.actor_user_id, event.actor_role, event.action, event.case_id, event.reason) == (
        referrer.id, "referring_physician", "case.read", case.id, "Preparing the tumour board")
    assert abs(event.at.replace(tzinfo=None) - utcnow().replace(tzinfo=None)) < timedelta(minutes=1)
    text = " ".join(str(getattr(event, c.key)) for c in AuditEvent.__table__.columns)
    assert "Pat Example" not in text and "APL" not in text and "520" not in text


def test_support_access_without_a_reason_is_refused_and_leaves_no_event(client, session):
    referrer, patient = make_account(session, Role.REFERRING_PHYSICIAN), make_account(session, Role.PATIENT)
    case = make_case(session, creator=referrer, patient=patient)
    admin = bearer(session, make_account(session, Role.ADMIN))
    session.commit()
    refused = client.get(f"/v1/cases/{case.id}", headers=admin)
    assert refused.status_code == 403 and "X-Access-Reason" in refused.get_json()["detail"]
    assert _count(session) == 0


def test_administrators_filter_the_trail_by_case_actor_action_and_time(client, session):
    referrer, patient = make_account(session, Role.REFERRING_PHYSICIAN), make_account(session, Role.PATIENT)
    specialist = make_specialist(session)
    session.flush()
    doctor = make_account(session, Role.SPECIALIST, specialist=specialist)
    one, two = (make_case(session, creator=referrer, patient=patient) for _ in range(2))
    referral = make_referral(session, one, specialist, ReferralStatus.REQUESTED)
    as_referrer, as_doctor, as_patient = bearer(session, referrer), bearer(session, doctor), bearer(session, patient)
    admin = bearer(session, make_account(session, Role.ADMIN))
    session.commit()
    start = utcnow()
    for case in (one, two, one):
        client.get(f"/v1/cases/{case.id}", headers=as_referrer)
    client.get(f"/v1/referrals/{referral.id}", headers=as_doctor)  # read, then the automatic "receive"

    def trail(query: str) -> dict:
        response = client.get(f"/v1/audit?{query}", headers=admin)
        assert response.status_code == 200, response.get_json()
        return response.get_json()

    assert trail(f"case_id={one.id}")["total"] == 4
    assert [e["action"] for e in trail(f"actor_user_id={doctor.id}")["items"]] == ["referral.receive", "referral.read"]
    assert trail("action=case.read")["total"] == 3
    assert trail(f"since={quote(start.isoformat())}")["total"] == 5
    assert trail(f"until={quote(start.isoformat())}")["total"] == 0
    page = trail("page=2&page_size=2")
    assert page["total"] == 5 and len(page["items"]) == 2
    assert client.get("/v1/audit", headers=as_patient).status_code == 403


def test_a_reason_is_measured_in_letters_and_kept_as_written(client, session):
    """A 500-letter reason in any script is accepted and audited as written; the 501st letter is refused.
    (A server hands UTF-8 header bytes to the app as latin-1 text, which is how the client sends them here.)"""
    referrer, patient = make_account(session, Role.REFERRING_PHYSICIAN), make_account(session, Role.PATIENT)
    case = make_case(session, creator=referrer, patient=patient)
    token = bearer(session, referrer)
    session.commit()

    def wire(text: str) -> str:
        return text.encode("utf-8").decode("latin-1")

    reason = "腫瘍会議の準備" * 71 + "準備準備"  # 7 × 71 + 4 = 501 letters
    refused = client.get(f"/v1/cases/{case.id}", headers={**token, "X-Access-Reason": wire(reason)})
    assert refused.status_code == 400 and "500" in refused.get_json()["detail"]
    accepted = client.get(f"/v1/cases/{case.id}", headers={**token, "X-Access-Reason": wire(reason[:500])})
    assert accepted.status_code == 200
    assert session.scalars(select(AuditEvent.reason)).one() == reason[:500]
