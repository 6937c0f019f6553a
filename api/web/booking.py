"""Booking a slot and paying by card (self-pay), the receipt, cancelling and the refund.

The card goes from the browser to Stripe only (Stripe.js and its Element): this server receives a
payment method id, holds the slot with it through the same flow as POST /v1/slots/{id}/hold, and
the page then shows what Stripe's signed webhook settles (it polls the booking with htmx).
"""

from __future__ import annotations

import re
import secrets

from flask import abort, current_app, redirect, render_template, request, session, url_for
from sqlalchemy import select

import billing
from api.db import db, utcnow
from api.models import Booking, BookingStatus, PaymentStatus, Role, Slot, Specialist
from api.scheduling import bookings, flows
from api.scheduling.policy import BookingPolicy
from api.scheduling.present import booking_view
from api.web.blueprint import bp
from api.web.identity import sign_in_required

# pm_ from Stripe.js; card_ from the token localstripe's fake Stripe.js makes (Stripe accepts both ids).
_PAYMENT_METHOD = re.compile(r"^(pm|card)_[A-Za-z0-9_]{1,200}$")
_SECRET_KEY = "client_secret_{}"  # kept in the signed cookie for a card that needs 3-D Secure in the browser
BOOKINGS_SHOWN = 50


def _policy() -> BookingPolicy:
    return BookingPolicy.from_config(current_app.config)


def _page(booking: Booking, bank_step_done: bool = False) -> dict:
    """What every booking page shows: the booking as the API answers it, and who it is with.

    `authenticate` asks the page to run the bank's 3-D Secure step with Stripe.js, until the browser
    says it has (`bank_step_done`); the webhook then settles the payment.
    """
    view = booking_view(db.session, booking, _policy())
    specialist = db.session.get(Specialist, view["slot"]["specialist_id"])
    secret = session.get(_SECRET_KEY.format(booking.id)) if view["status"] is BookingStatus.HELD else None
    needs_bank = bool(view["payment"]) and view["payment"]["status"] is PaymentStatus.REQUIRES_ACTION
    state = f"{view['status'].value}-{view['payment']['status'].value if view['payment'] else ''}"
    return {
        "b": view,
        "specialist": specialist,
        "client_secret": secret,
        "authenticate": bool(secret and needs_bank and not bank_step_done),
        "state": state,
    }


@bp.get("/slots/<id:slot_id>/book")
@sign_in_required(Role.PATIENT)
def book(slot_id: int, identity):
    """The payment page: the slot, the price, the cancellation policy and the card Element."""
    slot = db.session.get(Slot, slot_id) or abort(404)
    cfg = current_app.config
    return render_template(
        "book.html",
        slot=slot,
        specialist=db.session.get(Specialist, slot.specialist_id),
        policy=_policy().describe(),
        hold_key=secrets.token_urlsafe(24),
        stripe_js_url=cfg["STRIPE_JS_URL"],
        stripe_key=cfg["STRIPE_PUBLISHABLE_KEY"],
    )


@bp.post("/slots/<id:slot_id>/book")
@sign_in_required(Role.PATIENT)
def book_post(slot_id: int, identity):
    """Hold the slot and authorise the card; a resubmitted form (same key) finds the same booking."""
    method = request.form.get("payment_method", "")
    if not _PAYMENT_METHOD.fullmatch(method):
        abort(422)
    booking, secret = flows.hold_slot(
        db.session,
        billing.gateway(),
        identity,
        slot_id,
        policy=_policy(),
        now=utcnow(),
        self_pay=True,
        payment_method=method,
        hold_key=request.form.get("hold_key", "")[:100] or None,
    )
    if secret:
        session[_SECRET_KEY.format(booking.id)] = secret
    return redirect(url_for("web.booking", booking_id=booking.id))


@bp.get("/bookings")
@sign_in_required(Role.PATIENT)
def my_bookings(identity):
    """My bookings, newest first."""
    mine = db.session.scalars(
        select(Booking).where(Booking.patient_id == identity.user_id).order_by(Booking.id.desc()).limit(BOOKINGS_SHOWN)
    )
    return render_template("bookings.html", rows=[_page(b) for b in mine])


@bp.get("/bookings/<id:booking_id>")
@sign_in_required(Role.PATIENT)
def booking(booking_id: int, identity):
    """A booking: waiting for the payment, or the receipt, or the cancellation and its refund."""
    held = bookings.load_booking(db.session, booking_id, identity)
    return render_template(
        "booking.html",
        **_page(held, bank_step_done="authenticated" in request.args),
        stripe_js_url=current_app.config["STRIPE_JS_URL"],
        stripe_key=current_app.config["STRIPE_PUBLISHABLE_KEY"],
    )


@bp.get("/bookings/<id:booking_id>/status")
@sign_in_required(Role.PATIENT)
def booking_status(booking_id: int, identity):
    """The status panel alone, for htmx to poll until the webhook has settled the payment.

    Unchanged since the page's `seen` state: 204, which htmx leaves alone (the live region stays quiet).
    """
    page = _page(bookings.load_booking(db.session, booking_id, identity))
    if request.args.get("seen") == page["state"]:
        return "", 204
    return render_template("_booking_status.html", **page)


@bp.post("/bookings/<id:booking_id>/confirm")
@sign_in_required(Role.PATIENT)
def booking_confirm(booking_id: int, identity):
    """Confirm a held booking whose card is authorised (as POST /v1/bookings/{id}/confirm does)."""
    held = bookings.load_booking(db.session, booking_id, identity)
    flows.confirm_booking(db.session, billing.gateway(), held, utcnow())
    return redirect(url_for("web.booking", booking_id=booking_id))


@bp.post("/bookings/<id:booking_id>/cancel")
@sign_in_required(Role.PATIENT)
def booking_cancel(booking_id: int, identity):
    """Cancel: a hold is released, a confirmed booking refunded by the cancellation policy."""
    held = bookings.load_booking(db.session, booking_id, identity)
    flows.cancel_booking(db.session, billing.gateway(), held, _policy(), utcnow())
    session.pop(_SECRET_KEY.format(booking_id), None)
    return redirect(url_for("web.booking", booking_id=booking_id))
