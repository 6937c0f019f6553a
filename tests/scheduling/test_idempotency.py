"""Idempotency-Key on POSTs: a retry returns the first answer and creates nothing new."""
import threading
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import func, select

from api.models import Booking, IdempotencyRecord, Payment
from tests.payments_support import make_bookable, make_person, reading

CARD = {"payment_method": "pm_card_visa"}


def _count(session, model):
    with reading(session) as s:
        return s.scalar(select(func.count()).select_from(model))


def test_a_retry_replays_the_first_answer_and_creates_nothing(client, session, fake_stripe):
    _, (slot,) = make_bookable(session)
    _, headers = make_person(session)
    session.commit()
    keyed = {**headers, "Idempotency-Key": "7b1c-hold"}
    first = client.post(f"/v1/slots/{slot.id}/hold", headers=keyed, json=CARD)
    again = client.post(f"/v1/slots/{slot.id}/hold", headers=keyed, json=CARD)
    assert first.status_code == again.status_code == 201
    assert again.get_json() == first.get_json() and again.headers["Idempotent-Replayed"] == "true"
    assert _count(session, Booking) == _count(session, Payment) == 1
    assert [name for name, _ in fake_stripe.calls].count("create_intent") == 1


def test_the_same_key_with_another_body_is_refused(client, session, fake_stripe):
    _, (slot, other) = make_bookable(session, slots=2)
    _, headers = make_person(session)
    session.commit()
    keyed = {**headers, "Idempotency-Key": "k-1"}
    assert client.post(f"/v1/slots/{slot.id}/hold", headers=keyed, json=CARD).status_code == 201
    assert client.post(f"/v1/slots/{other.id}/hold", headers=keyed, json=CARD).status_code == 422
    assert client.post(f"/v1/slots/{slot.id}/hold", headers=keyed, json={"self_pay": False}).status_code == 422
    assert _count(session, Booking) == 1


def test_a_refusal_is_replayed_too_and_keys_belong_to_their_caller(client, session, fake_stripe):
    _, (slot,) = make_bookable(session)
    _, alice = make_person(session)
    _, bob = make_person(session)
    session.commit()
    assert client.post(f"/v1/slots/{slot.id}/hold", headers={**alice, "Idempotency-Key": "same"}, json=CARD).status_code == 201
    taken = client.post(f"/v1/slots/{slot.id}/hold", headers={**bob, "Idempotency-Key": "same"}, json=CARD)
    assert taken.status_code == 409  # Bob's key is his own: not Alice's answer
    replay = client.post(f"/v1/slots/{slot.id}/hold", headers={**bob, "Idempotency-Key": "same"}, json=CARD)
    assert replay.status_code == 409 and replay.headers["Idempotent-Replayed"] == "true"
    assert replay.mimetype == "application/problem+json"
    assert _count(session, IdempotencyRecord) == 2


def test_concurrent_retries_with_one_key_create_one_booking(app, session, fake_stripe):
    _, (slot,) = make_bookable(session)
    _, headers = make_person(session)
    session.commit()
    barrier = threading.Barrier(8)

    def post(_):
        barrier.wait()
        response = app.test_client().post(f"/v1/slots/{slot.id}/hold",
                                          headers={**headers, "Idempotency-Key": "burst"}, json=CARD)
        return response.status_code, (response.get_json() or {}).get("id")

    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(post, range(8)))
    assert {status for status, _ in answers} <= {201, 409}
    assert len({booking for status, booking in answers if status == 201}) == 1
    assert _count(session, Booking) == 1 and [n for n, _ in fake_stripe.calls].count("create_intent") == 1


def test_cancel_retried_refunds_once(client, session, fake_stripe):
    _, (slot,) = make_bookable(session)
    _, headers = make_person(session)
    session.commit()
    booking = client.post(f"/v1/slots/{slot.id}/hold", headers=headers, json=CARD).get_json()
    client.post(f"/v1/bookings/{booking['id']}/confirm", headers=headers)
    keyed = {**headers, "Idempotency-Key": "cancel-1"}
    first = client.post(f"/v1/bookings/{booking['id']}/cancel", headers=keyed)
    second = client.post(f"/v1/bookings/{booking['id']}/cancel", headers=keyed)
    unkeyed = client.post(f"/v1/bookings/{booking['id']}/cancel", headers=headers)
    assert first.get_json() == second.get_json() and unkeyed.get_json()["status"] == "cancelled"
    assert [n for n, _ in fake_stripe.calls].count("refund") == 1
