"""Scheduling endpoints: list slots, hold one while paying, then confirm, cancel or reschedule."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app, request
from flask.views import MethodView
from flask_smorest import Blueprint
from sqlalchemy import select

import billing
from api.auth.identity import secured
from api.db import db, utcnow
from api.idempotency import HEADER, idempotent
from api.models import Booking, Role
from api.scheduling import availability, bookings, flows
from api.scheduling.policy import BookingPolicy
from api.scheduling.present import booking_view, slot_view
from api.scheduling.schemas import BookingSchema, HoldSchema, PaySchema, RescheduleSchema, SlotQuerySchema, SlotSchema

blp = Blueprint("scheduling", __name__, description="Availability, holds and bookings (self-pay through Stripe)")


def policy() -> BookingPolicy:
    """The app's hold and cancellation policy."""
    return BookingPolicy.from_config(current_app.config)


def _mine(booking_id: int, identity) -> Booking:
    return bookings.load_booking(db.session, booking_id, identity)


@blp.route("/v1/slots")
class Slots(MethodView):
    """A specialist's free consultation times."""

    @blp.arguments(SlotQuerySchema, location="query")
    @blp.response(200, SlotSchema(many=True))
    def get(self, args):
        """List a specialist's open slots (in person or telehealth), earliest first"""
        now = utcnow()
        start = args.get("start") or now
        found = availability.open_slots(
            db.session,
            specialist_id=args["specialist_id"],
            now=now,
            start=start,
            end=start + timedelta(days=args["days"]),
            practice_location_id=args.get("practice_location_id"),
            mode=args.get("mode"),
            limit=args["limit"],
        )
        return [slot_view(slot) for slot in found]


@blp.route("/v1/slots/<id:slot_id>/hold")
class SlotHold(MethodView):
    """Holding a slot."""

    @secured(blp, Role.PATIENT)
    @idempotent(blp)
    @blp.arguments(HoldSchema)
    @blp.response(201, BookingSchema)
    @blp.alt_response(404, description="No such slot")
    @blp.alt_response(
        409,
        description="The slot is taken, in the past, or has no self-pay price; or the referral "
        "is not accepted, or its case is closed",
    )
    @blp.alt_response(422, description="The slot is with another specialist than the referral's")
    @blp.alt_response(503, description="Stripe unreachable: the slot stays held; retry with the same key")
    def post(self, data, slot_id, identity):
        """Hold a slot for 15 minutes and authorise the card (self-pay); send an Idempotency-Key"""
        booking, secret = flows.hold_slot(
            db.session,
            billing.gateway(),
            identity,
            slot_id,
            policy=policy(),
            now=utcnow(),
            self_pay=data["self_pay"],
            payment_method=data.get("payment_method"),
            hold_key=request.headers.get(HEADER, "").strip() or None,
            referral_id=data.get("referral_id"),
        )
        return booking_view(db.session, booking, policy(), secret)


@blp.route("/v1/bookings")
class Bookings(MethodView):
    """The caller's bookings."""

    @secured(blp, Role.PATIENT)
    @blp.response(200, BookingSchema(many=True))
    def get(self, identity):
        """List my bookings, newest first"""
        mine = db.session.scalars(
            select(Booking).where(Booking.patient_id == identity.user_id).order_by(Booking.id.desc()).limit(200)
        )
        return [booking_view(db.session, b, policy()) for b in mine]


@blp.route("/v1/bookings/<id:booking_id>")
class BookingById(MethodView):
    """One booking."""

    @secured(blp, Role.PATIENT, Role.ADMIN)
    @blp.response(200, BookingSchema)
    @blp.alt_response(404, description="No such booking of yours")
    def get(self, booking_id, identity):
        """Read a booking and its payment"""
        return booking_view(db.session, _mine(booking_id, identity), policy())


_BOOKING = "/v1/bookings/<id:booking_id>"


def _answer(result) -> dict:
    booking, secret = result if isinstance(result, tuple) else (result, None)
    return booking_view(db.session, booking, policy(), secret)


@blp.route(f"{_BOOKING}/confirm")
class BookingConfirm(MethodView):
    """Confirming a hold."""

    @secured(blp, Role.PATIENT)
    @idempotent(blp)
    @blp.response(200, BookingSchema)
    @blp.alt_response(404, description="No such booking of yours")
    @blp.alt_response(409, description="Not held any more, or the card is not authorised yet")
    @blp.alt_response(503, description="Stripe unreachable: the booking stays held")
    def post(self, booking_id, identity):
        """Confirm a held booking whose card is authorised; the payment is captured"""
        booking = _mine(booking_id, identity)
        return _answer(flows.confirm_booking(db.session, billing.gateway(), booking, utcnow()))


@blp.route(f"{_BOOKING}/cancel")
class BookingCancel(MethodView):
    """Cancelling."""

    @secured(blp, Role.PATIENT)
    @idempotent(blp)
    @blp.response(200, BookingSchema)
    @blp.alt_response(404, description="No such booking of yours")
    @blp.alt_response(409, description="Already started, or rescheduled")
    def post(self, booking_id, identity):
        """Cancel: a hold is released; a confirmed booking is refunded by the cancellation policy"""
        booking = _mine(booking_id, identity)
        return _answer(flows.cancel_booking(db.session, billing.gateway(), booking, policy(), utcnow()))


@blp.route(f"{_BOOKING}/reschedule")
class BookingReschedule(MethodView):
    """Rescheduling."""

    @secured(blp, Role.PATIENT)
    @idempotent(blp)
    @blp.arguments(RescheduleSchema)
    @blp.response(201, BookingSchema)
    @blp.alt_response(404, description="No such booking of yours, or no such slot with this specialist")
    @blp.alt_response(409, description="The slot is taken, or the booking cannot move")
    def post(self, data, booking_id, identity):
        """Move a booking to another slot of the same specialist; answers the new booking"""
        booking = _mine(booking_id, identity)
        return _answer(flows.reschedule_booking(db.session, billing.gateway(), booking, data["slot_id"], utcnow()))


@blp.route(f"{_BOOKING}/pay")
class BookingPay(MethodView):
    """Paying again."""

    @secured(blp, Role.PATIENT)
    @idempotent(blp)
    @blp.arguments(PaySchema)
    @blp.response(200, BookingSchema)
    @blp.alt_response(404, description="No such booking of yours")
    @blp.alt_response(409, description="Not held, or its payment does not need a new attempt")
    @blp.alt_response(503, description="Stripe unreachable: the booking stays held")
    def post(self, data, booking_id, identity):
        """Pay again (another card) for a held booking whose payment failed or was cancelled"""
        booking = _mine(booking_id, identity)
        return _answer(flows.pay_again(db.session, billing.gateway(), booking, data.get("payment_method"), utcnow()))
