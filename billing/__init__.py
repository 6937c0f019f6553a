"""Self-pay through Stripe: the client and its fake twin, payments, the ledger, webhooks, reconciliation."""
from __future__ import annotations

from flask import current_app

from billing.stripe_client import StripeGateway


def gateway():
    """The current app's Stripe gateway, built from its STRIPE_* settings on first use.

    Tests put a FakeStripeGateway (or a gateway aimed at localstripe) in `app.extensions["stripe"]`.
    """
    ext = current_app.extensions
    if ext.get("stripe") is None:
        ext["stripe"] = StripeGateway.from_config(current_app.config)
    return ext["stripe"]
