"""POST /v1/stripe/webhook: Stripe's events, verified by signature before anything else."""

from __future__ import annotations

import logging

import marshmallow as ma
from flask import current_app, request
from flask.views import MethodView
from flask_smorest import Blueprint, abort

import billing
from api.db import db, utcnow
from api.scheduling.flows import settle_payment
from billing.webhooks import WebhookRejected, receive

blp = Blueprint("stripe", __name__, url_prefix="/v1/stripe", description="Stripe webhook receiver")
log = logging.getLogger(__name__)
_SIGNATURE = {
    "in": "header",
    "name": "Stripe-Signature",
    "required": True,
    "schema": {"type": "string"},
    "description": "t=<unix time>,v1=<HMAC-SHA256 of '<t>.<body>' with the endpoint secret>",
}
_EVENT_EXAMPLE = {
    "id": "evt_1QxExample",
    "object": "event",
    "type": "payment_intent.succeeded",
    "created": 1764000000,
    "data": {"object": {"id": "pi_3QxExample", "object": "payment_intent"}},
}


class ReceiptSchema(ma.Schema):
    """What Stripe is told about a delivery."""

    received = ma.fields.Boolean(metadata={"example": True})
    outcome = ma.fields.String(
        metadata={
            "description": "processed | duplicate | ignored | unprocessable (signed, but no event that can ever be "
            "processed: recorded and acknowledged so that Stripe stops retrying)",
            "example": "processed",
        }
    )
    reason = ma.fields.String(
        allow_none=True, metadata={"description": "Why an event is unprocessable", "example": None}
    )


@blp.route("/webhook")
class StripeWebhook(MethodView):
    """Stripe calls this for payment events."""

    verifies_raw_body = True  # the signature covers the exact bytes; odd but signed events are acknowledged

    @blp.doc(
        parameters=[_SIGNATURE],
        requestBody={
            "required": True,
            "content": {"application/json": {"schema": {"type": "object"}, "example": _EVENT_EXAMPLE}},
        },
    )
    @blp.response(200, ReceiptSchema, description="Received (processed now, or earlier)")
    @blp.alt_response(400, description="Not signed by Stripe with this endpoint's secret")
    @blp.alt_response(500, description="Processing failed; Stripe retries the delivery")
    def post(self):
        """Receive a Stripe event: verified, stored, deduplicated, re-fetched and processed"""
        try:
            receipt = receive(
                db.session,
                billing.gateway(),
                request.get_data(),
                request.headers.get("Stripe-Signature"),
                current_app.config["STRIPE_WEBHOOK_SECRET"],
                settle_payment,
                utcnow(),
            )
        except WebhookRejected:
            raise  # not Stripe's: 400, answered by the one error handler
        except Exception:
            log.exception("stripe webhook processing failed; Stripe will retry")
            abort(500, message="The event could not be processed now; Stripe will deliver it again.")
        return {"received": True, "outcome": receipt.outcome, "reason": receipt.reason}
