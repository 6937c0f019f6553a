"""Bodies and query arguments of the scheduling endpoints."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import validate

from api.fields import UtcDateTime
from api.models import BookingStatus, PaymentStatus, VisitMode

PAYMENT_METHOD = ma.fields.String(
    validate=validate.Regexp(r"^pm_[A-Za-z0-9_]{1,200}$", error="A Stripe PaymentMethod id like 'pm_...'."),
    metadata={
        "description": "A Stripe PaymentMethod id (from Stripe.js; 'pm_card_visa' in test mode). "
        "Without it, confirm the payment in the browser with `client_secret`.",
        "example": "pm_card_visa",
    },
)


class SlotQuerySchema(ma.Schema):
    """Which slots to list."""

    specialist_id = ma.fields.Integer(
        required=True, validate=validate.Range(min=1, max=2**31 - 1), metadata={"example": 42}
    )
    practice_location_id = ma.fields.Integer(validate=validate.Range(min=1, max=2**31 - 1))
    mode = ma.fields.Enum(VisitMode, by_value=True)
    start = UtcDateTime(
        data_key="from", metadata={"description": "Default: now", "example": "2026-12-01T00:00:00+00:00"}
    )
    days = ma.fields.Integer(load_default=14, validate=validate.Range(min=1, max=90))
    limit = ma.fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))


class SlotSchema(ma.Schema):
    """A consultation time."""

    id = ma.fields.Integer(metadata={"example": 7})
    specialist_id = ma.fields.Integer(metadata={"example": 42})
    practice_location_id = ma.fields.Integer(metadata={"example": 3})
    mode = ma.fields.Enum(VisitMode, by_value=True)
    starts_at = ma.fields.AwareDateTime(metadata={"example": "2026-12-01T15:00:00+00:00"})
    ends_at = ma.fields.AwareDateTime(metadata={"example": "2026-12-01T16:00:00+00:00"})


class HoldSchema(ma.Schema):
    """How the patient will pay for the held slot."""

    self_pay = ma.fields.Boolean(
        load_default=True,
        metadata={"description": "false: the consultation is billed to insurance; nothing is charged here."},
    )
    payment_method = PAYMENT_METHOD
    referral_id = ma.fields.Integer(
        validate=validate.Range(min=1, max=2**31 - 1),
        metadata={
            "description": "The accepted referral this consultation is for: the booking then belongs to it and its "
            "case (the slot must be with the referral's specialist)",
            "example": 31,
        },
    )


class PaySchema(ma.Schema):
    """A new card for a held booking whose payment failed."""

    payment_method = PAYMENT_METHOD


class RescheduleSchema(ma.Schema):
    """The slot to move to (same specialist)."""

    slot_id = ma.fields.Integer(required=True, validate=validate.Range(min=1, max=2**31 - 1), metadata={"example": 8})


class PaymentSchema(ma.Schema):
    """The booking's self-pay payment, in integer cents."""

    status = ma.fields.Enum(PaymentStatus, by_value=True)
    amount_cents = ma.fields.Integer()
    currency = ma.fields.String()
    amount_refunded_cents = ma.fields.Integer()
    refund_due_cents = ma.fields.Integer(metadata={"description": "Promised by a cancellation"})
    pending = ma.fields.String(allow_none=True, metadata={"description": "cancel | refund: owed, not yet done"})
    client_secret = ma.fields.String(metadata={"description": "For Stripe.js, when the patient still has to pay"})
    message = ma.fields.String(allow_none=True)


class BookingSchema(ma.Schema):
    """A hold or an appointment."""

    id = ma.fields.Integer(metadata={"example": 12})
    status = ma.fields.Enum(BookingStatus, by_value=True)
    slot = ma.fields.Nested(SlotSchema)
    self_pay = ma.fields.Boolean(metadata={"example": True})
    price_cents = ma.fields.Integer(metadata={"example": 45000})
    expires_at = ma.fields.AwareDateTime(allow_none=True, metadata={"description": "While held: when the hold ends"})
    confirmed_at = ma.fields.AwareDateTime(allow_none=True)
    ended_at = ma.fields.AwareDateTime(allow_none=True)
    rescheduled_from_id = ma.fields.Integer(allow_none=True)
    case_id = ma.fields.Integer(allow_none=True, metadata={"description": "The case this consultation is for"})
    referral_id = ma.fields.Integer(allow_none=True, metadata={"description": "The referral it was booked against"})
    payment = ma.fields.Nested(PaymentSchema, allow_none=True)
    cancellation_policy = ma.fields.String()
