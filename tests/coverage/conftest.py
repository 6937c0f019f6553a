"""Fixtures of these tests come from tests/payments_support.py."""
from tests.payments_support import fake_stripe, localstripe, localstripe_url  # noqa: F401  (pytest fixtures)
