"""Scheduling: availability slots, holds while the patient pays, bookings, idempotent POSTs."""
