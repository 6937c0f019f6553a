"""No double booking: of many concurrent holds on one slot exactly one wins (SQLite and PostgreSQL)."""
import threading
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import func, select

from api.models import Booking, Payment
from tests.payments_support import make_bookable, make_person, reading

CONTENDERS = 50


def _race(app, url: str, people: list[dict], body: dict) -> list[int]:
    barrier = threading.Barrier(len(people))

    def attempt(args):
        n, headers = args
        client = app.test_client()
        barrier.wait()
        return client.post(url, headers={**headers, "Idempotency-Key": f"race-{n}"}, json=body).status_code

    with ThreadPoolExecutor(max_workers=len(people)) as pool:
        return list(pool.map(attempt, enumerate(people)))


def test_fifty_concurrent_holds_on_one_slot_give_exactly_one_booking(app, session, fake_stripe):
    _, (slot,) = make_bookable(session)
    people = [make_person(session)[1] for _ in range(CONTENDERS)]
    session.commit()

    statuses = _race(app, f"/v1/slots/{slot.id}/hold", people, {"payment_method": "pm_card_visa"})

    assert sorted(statuses) == [201] + [409] * (CONTENDERS - 1), statuses
    with reading(session) as s:
        assert s.scalar(select(func.count(Booking.id))) == 1
        assert s.scalar(select(func.count(Payment.id))) == 1
    assert [name for name, _ in fake_stripe.calls].count("create_intent") == 1


def test_concurrent_reschedules_onto_one_slot_give_exactly_one(app, session, fake_stripe, client):
    _, (slot_a, slot_b, target) = make_bookable(session, slots=3)
    (_, alice), (_, bob) = make_person(session), make_person(session)
    session.commit()
    first = client.post(f"/v1/slots/{slot_a.id}/hold", headers=alice, json={"payment_method": "pm_card_visa"})
    second = client.post(f"/v1/slots/{slot_b.id}/hold", headers=bob, json={"payment_method": "pm_card_visa"})
    ids = [first.get_json()["id"], second.get_json()["id"]]
    barrier = threading.Barrier(2)

    def move(args):
        booking_id, headers = args
        barrier.wait()
        return app.test_client().post(f"/v1/bookings/{booking_id}/reschedule", headers=headers,
                                      json={"slot_id": target.id}).status_code

    with ThreadPoolExecutor(max_workers=2) as pool:
        statuses = sorted(pool.map(move, zip(ids, [alice, bob])))
    assert statuses == [201, 409]
