"""The commands: generate-slots (idempotent, per practice location) and the expire-holds sweep."""
from datetime import date, timedelta

from sqlalchemy import func, select

from api.db import utcnow
from api.models import Booking, Slot, VisitMode
from api.scheduling.availability import slot_rows, weekly_pattern
from tests.factories import make_specialist
from tests.payments_support import make_bookable, make_person, reading


def test_generate_slots_is_deterministic_and_idempotent(app, session):
    telehealth = make_specialist(session, telehealth=True)
    in_person = make_specialist(session, zip_code="94103", lat=37.77, lon=-122.41)
    make_specialist(session, accepts_second_opinions=False)
    session.commit()
    runner = app.test_cli_runner()
    first = runner.invoke(args=["generate-slots", "--days", "14"])
    assert first.exit_code == 0, first.output
    with reading(session) as s:
        count = s.scalar(select(func.count(Slot.id)))
    expected = sum(len(list(slot_rows(s.practice_locations[0].id, s.id, "NY", s.telehealth,
                                      (utcnow() + timedelta(days=1)).date(), 14))) for s in (telehealth, in_person))
    assert count == expected > 0
    assert runner.invoke(args=["generate-slots", "--days", "14"]).exit_code == 0
    with reading(session) as s:
        assert s.scalar(select(func.count(Slot.id))) == count
        modes = set(s.scalars(select(Slot.mode).where(Slot.specialist_id == telehealth.id)))
        assert modes == {VisitMode.IN_PERSON, VisitMode.TELEHEALTH}
        assert set(s.scalars(select(Slot.mode).where(Slot.specialist_id == in_person.id))) == {VisitMode.IN_PERSON}


def test_slots_follow_the_local_clinic_day():
    monday = date(2026, 11, 23)
    rows = list(slot_rows(1, 1, "CA", False, monday, 7))
    assert {r["starts_at"].date().weekday() for r in rows} == weekly_pattern(1)
    assert min(r["starts_at"].hour for r in rows) == 17  # 09:00 in Los Angeles is 17:00 UTC in November


def test_expire_holds_sweeps_and_releases(app, client, session, fake_stripe, monkeypatch):
    _, (slot,) = make_bookable(session)
    _, headers = make_person(session)
    session.commit()
    booking = client.post(f"/v1/slots/{slot.id}/hold", headers=headers, json={"payment_method": "pm_card_visa"})
    assert booking.status_code == 201
    monkeypatch.setattr("api.scheduling.commands.utcnow", lambda: utcnow() + timedelta(minutes=30))
    result = app.test_cli_runner().invoke(args=["expire-holds"])
    assert result.exit_code == 0 and "1 holds expired; 1 releases" in result.output
    with reading(session) as s:
        assert s.scalar(select(Booking.status)).value == "expired"
    assert next(iter(fake_stripe.intents.values())).status == "canceled"
