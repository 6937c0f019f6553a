"""Self-pay through Stripe: the client and its fake twin, payments, the ledger, webhooks, reconciliation.

A Stripe call is a step of a unit of work (`api/unit_of_work.py`), never made while a database
transaction is open (on SQLite that would hold the write lock while Stripe answers). One pattern
per kind of call:

- create a PaymentIntent (authorise): made *before* the commit that records it, with the
  payment attempt's idempotency key; if that commit fails, `uow.on_rollback` cancels the intent;
- capture: made *after* the commit that confirms the booking; if Stripe refuses, a second unit of
  work puts the booking back on hold (the caller answers 409 or 503);
- cancel and refund: promised in the transaction that cancels or expires the booking
  (`Payment.pending_action`, the outbox row) and carried out after the commit, retried by the
  `expire-holds` sweep until Stripe does it;
- retrieve and list: reads, outside any transaction; what they say is written by the next unit of work.

Who strings the units of work together: `api/scheduling/flows.py` for bookings, `billing.webhooks.receive`
for webhooks and `billing.reconcile.reconcile` for reconciliation.
"""

from __future__ import annotations

from flask import current_app

from billing.payment_gateway import PaymentGateway
from billing.stripe_client import StripeGateway


def gateway() -> PaymentGateway:
    """The current app's Stripe gateway, built from its STRIPE_* settings on first use.

    Tests put a FakeStripeGateway (or a gateway aimed at localstripe) in `app.extensions["stripe"]`.
    """
    ext = current_app.extensions
    if ext.get("stripe") is None:
        ext["stripe"] = StripeGateway.from_config(current_app.config)
    return ext["stripe"]
