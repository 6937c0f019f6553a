"""Scheduling: availability slots, holds while the patient pays, bookings, idempotent POSTs.

`holds`, `bookings` and `settlement` are services: steps of the caller's unit of work that never
commit. `flows` is the application service the views, the webhook and the commands call: it runs
those steps in explicit units of work and makes each Stripe call between them, never inside one
(create an intent before the commit that records it, compensated on rollback; capture after the
commit that confirms; release and refund through the `Payment.pending_action` outbox).
"""
