"""A consultation booked against a referral belongs to its case and referral, and only fits its specialist."""
from api.models import CaseStatus, ReferralStatus, Role
from tests.cases.factories import make_account, make_case, make_referral
from tests.payments_support import make_bookable, make_person


def _world(session, status=ReferralStatus.ACCEPTED):
    specialist, slots = make_bookable(session, slots=2)
    other, other_slots = make_bookable(session)
    patient, as_patient = make_person(session)
    referrer = make_account(session, Role.REFERRING_PHYSICIAN)
    case = make_case(session, creator=referrer, patient=patient)
    referral = make_referral(session, case, specialist, status)
    session.commit()
    return dict(case=case, referral=referral, slot=slots[0], spare=slots[1], other_slot=other_slots[0],
                as_patient=as_patient)


def _hold(client, w, slot, **body):
    return client.post(f"/v1/slots/{slot.id}/hold", headers=w["as_patient"],
                       json={"payment_method": "pm_card_visa", "referral_id": w["referral"].id, **body})


def test_a_hold_against_an_accepted_referral_belongs_to_it_and_its_case(client, session, fake_stripe):
    w = _world(session)
    held = _hold(client, w, w["slot"])
    assert held.status_code == 201, held.get_json()
    assert (held.get_json()["case_id"], held.get_json()["referral_id"]) == (w["case"].id, w["referral"].id)
    confirmed = client.post(f"/v1/bookings/{held.get_json()['id']}/confirm", headers=w["as_patient"]).get_json()
    assert confirmed["status"] == "confirmed" and confirmed["referral_id"] == w["referral"].id
    moved = client.post(f"/v1/bookings/{confirmed['id']}/reschedule", headers=w["as_patient"],
                        json={"slot_id": w["spare"].id}).get_json()
    assert (moved["case_id"], moved["referral_id"]) == (w["case"].id, w["referral"].id)


def test_the_slot_must_be_with_the_referrals_specialist(client, session, fake_stripe):
    w = _world(session)
    refused = _hold(client, w, w["other_slot"])
    assert refused.status_code == 422 and "specialist" in refused.get_json()["detail"]


def test_a_referral_not_yet_accepted_cannot_be_booked(client, session, fake_stripe):
    w = _world(session, ReferralStatus.RECEIVED)
    refused = _hold(client, w, w["slot"])
    assert refused.status_code == 409 and "accepted" in refused.get_json()["detail"]


def test_someone_elses_referral_looks_missing(client, session, fake_stripe):
    w = _world(session)
    _, stranger = make_person(session)
    session.commit()
    refused = client.post(f"/v1/slots/{w['slot'].id}/hold", headers=stranger,
                          json={"payment_method": "pm_card_visa", "referral_id": w["referral"].id})
    assert refused.status_code == 404
    missing = client.post(f"/v1/slots/{w['slot'].id}/hold", headers=stranger,
                          json={"payment_method": "pm_card_visa", "referral_id": 999999})
    assert missing.get_json()["detail"].replace("999999", "N") == \
        refused.get_json()["detail"].replace(str(w["referral"].id), "N")


def test_a_closed_case_takes_no_more_bookings(client, session, fake_stripe):
    w = _world(session)
    w["case"].status = CaseStatus.CLOSED
    session.commit()
    refused = _hold(client, w, w["slot"])
    assert refused.status_code == 409 and "closed" in refused.get_json()["detail"]
