"""Slots, holds and their expiry, confirmation, cancellation policy and rescheduling (Stripe twin)."""
from datetime import timedelta

from sqlalchemy import func, select

import billing
from api.db import db, utcnow
from api.models import Booking, BookingStatus, Slot
from api.scheduling import flows
from billing.reconcile import entries_of
from tests.payments_support import make_bookable, make_person, reading


def _hold(client, slot_id, headers, **body):
    response = client.post(f"/v1/slots/{slot_id}/hold", headers=headers, json={"payment_method": "pm_card_visa", **body})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def test_listing_shows_only_free_future_slots(client, session, fake_stripe):
    specialist, slots = make_bookable(session, slots=3)
    _, headers = make_person(session)
    session.commit()
    _hold(client, slots[0].id, headers)
    listed = client.get(f"/v1/slots?specialist_id={specialist.id}").get_json()
    assert [s["id"] for s in listed] == [slots[1].id, slots[2].id]
    assert listed[0]["mode"] == "in_person" and listed[0]["starts_at"].endswith("+00:00")


def test_a_hold_lasts_fifteen_minutes_then_is_released(app, client, session, fake_stripe):
    specialist, (slot,) = make_bookable(session)
    _, alice = make_person(session)
    _, bob = make_person(session)
    session.commit()
    held = _hold(client, slot.id, alice)
    assert held["expires_at"] and held["payment"]["status"] == "authorised"
    assert client.post(f"/v1/slots/{slot.id}/hold", headers=bob, json={}).status_code == 409

    with app.app_context():
        assert flows.expire_holds(db.session, billing.gateway(), utcnow() + timedelta(minutes=16)) == (1, 1)
    booking = client.get(f"/v1/bookings/{held['id']}", headers=alice).get_json()
    assert booking["status"] == "expired" and booking["payment"]["status"] == "cancelled"
    with reading(session) as s:
        assert [k.value for k, _, _ in entries_of(s, 1)] == ["authorised", "released"]
    assert client.get(f"/v1/slots?specialist_id={specialist.id}").get_json()[0]["id"] == slot.id
    assert _hold(client, slot.id, bob)["status"] == "held"


def test_a_lapsed_hold_gives_way_to_the_next_patient_at_once(app, client, session, fake_stripe, monkeypatch):
    _, (slot,) = make_bookable(session)
    _, alice = make_person(session)
    _, bob = make_person(session)
    session.commit()
    first = _hold(client, slot.id, alice)
    monkeypatch.setattr("api.scheduling.routes.utcnow", lambda: utcnow() + timedelta(minutes=20))
    second = _hold(client, slot.id, bob)
    assert second["status"] == "held"
    monkeypatch.undo()
    old = client.get(f"/v1/bookings/{first['id']}", headers=alice).get_json()
    assert old["status"] == "expired" and old["payment"]["status"] == "cancelled"  # released without a sweep
    assert client.post(f"/v1/bookings/{first['id']}/confirm", headers=alice).status_code == 409


def test_confirm_needs_an_authorised_card(client, session, fake_stripe):
    _, (slot,) = make_bookable(session)
    _, headers = make_person(session)
    session.commit()
    held = client.post(f"/v1/slots/{slot.id}/hold", headers=headers, json={}).get_json()
    assert held["payment"]["status"] == "requires_action" and held["payment"]["client_secret"]
    refused = client.post(f"/v1/bookings/{held['id']}/confirm", headers=headers)
    assert refused.status_code == 409 and "not authorised" in refused.get_json()["detail"]
    fake_stripe.authorise_on_client(next(iter(fake_stripe.intents)))  # the patient pays in the browser
    assert client.post(f"/v1/bookings/{held['id']}/confirm", headers=headers).get_json()["status"] == "confirmed"


def test_cancelling_a_hold_charges_nothing(client, session, fake_stripe):
    _, (slot,) = make_bookable(session)
    _, headers = make_person(session)
    session.commit()
    held = _hold(client, slot.id, headers)
    cancelled = client.post(f"/v1/bookings/{held['id']}/cancel", headers=headers).get_json()
    assert cancelled["status"] == "cancelled" and cancelled["payment"]["status"] == "cancelled"
    assert "capture" not in [name for name, _ in fake_stripe.calls]


def test_cancellation_policy_full_refund_early_half_late_none_after_start(client, session, fake_stripe):
    _, (early,) = make_bookable(session, starts_in=timedelta(hours=30), price_cents=40_001)
    _, (late,) = make_bookable(session, starts_in=timedelta(hours=5), price_cents=40_001)
    _, headers = make_person(session)
    session.commit()
    refunds = []
    for slot in (early, late):
        booking = _hold(client, slot.id, headers)
        client.post(f"/v1/bookings/{booking['id']}/confirm", headers=headers)
        refunds.append(client.post(f"/v1/bookings/{booking['id']}/cancel", headers=headers).get_json()["payment"])
    assert [r["amount_refunded_cents"] for r in refunds] == [40_001, 20_001]  # half, rounded half up
    assert all(r["status"] == "refunded" and r["pending"] is None for r in refunds)


def test_rescheduling_moves_the_booking_and_its_payment(client, session, fake_stripe):
    specialist, (first, second) = make_bookable(session, slots=2)
    _, (elsewhere,) = make_bookable(session)
    _, headers = make_person(session)
    session.commit()
    booking = _hold(client, first.id, headers)
    client.post(f"/v1/bookings/{booking['id']}/confirm", headers=headers)
    assert client.post(f"/v1/bookings/{booking['id']}/reschedule", headers=headers,
                       json={"slot_id": elsewhere.id}).status_code == 404
    moved = client.post(f"/v1/bookings/{booking['id']}/reschedule", headers=headers, json={"slot_id": second.id})
    assert moved.status_code == 201
    new = moved.get_json()
    assert new["status"] == "confirmed" and new["slot"]["id"] == second.id and new["rescheduled_from_id"] == booking["id"]
    assert new["payment"]["status"] == "captured"
    assert client.get(f"/v1/bookings/{booking['id']}", headers=headers).get_json()["status"] == "rescheduled"
    assert [s["id"] for s in client.get(f"/v1/slots?specialist_id={specialist.id}").get_json()] == [first.id]


def test_bookings_are_private_to_their_patient(client, session, fake_stripe):
    _, (slot,) = make_bookable(session)
    _, alice = make_person(session)
    _, bob = make_person(session)
    session.commit()
    booking = _hold(client, slot.id, alice)
    assert client.get(f"/v1/bookings/{booking['id']}", headers=bob).status_code == 404
    assert client.post(f"/v1/bookings/{booking['id']}/cancel", headers=bob).status_code == 404
    assert [b["id"] for b in client.get("/v1/bookings", headers=alice).get_json()] == [booking["id"]]
    assert client.post(f"/v1/slots/{slot.id}/hold", json={}).status_code == 401


def test_past_slots_and_specialists_without_a_price_cannot_be_held(client, session, fake_stripe):
    _, (past,) = make_bookable(session, starts_in=timedelta(hours=-2))
    _, (unpriced,) = make_bookable(session, price_cents=None)
    _, headers = make_person(session)
    session.commit()
    assert client.post(f"/v1/slots/{past.id}/hold", headers=headers, json={}).status_code == 409
    assert client.post(f"/v1/slots/{unpriced.id}/hold", headers=headers, json={}).status_code == 409
    insured = client.post(f"/v1/slots/{unpriced.id}/hold", headers=headers, json={"self_pay": False})
    assert insured.status_code == 201 and insured.get_json()["payment"] is None
    confirmed = client.post(f"/v1/bookings/{insured.get_json()['id']}/confirm", headers=headers)
    assert confirmed.get_json()["status"] == "confirmed" and fake_stripe.calls == []
    assert client.post("/v1/slots/999999/hold", headers=headers, json={}).status_code == 404
    with reading(session) as s:
        assert s.scalar(select(func.count(Booking.id)).where(Booking.status == BookingStatus.CONFIRMED)) == 1
        assert s.scalar(select(func.count(Slot.id))) == 2
