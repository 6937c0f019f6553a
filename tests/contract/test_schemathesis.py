"""Schemathesis against the app: every operation, as every role, answers what docs/openapi.yaml promises.

Checks: no 5xx, every status code documented, the documented content type, and bodies that
conform to the documented schema. Only the webhook's Stripe signature is out of reach (unsigned
bodies get the documented 400); /metrics is not part of the API document.
"""
from __future__ import annotations

import itertools
from collections import Counter

import pytest
import schemathesis
import yaml
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance, response_schema_conformance, status_code_conformance,
)

from api.models import Role
from billing.fake import FakeStripeGateway
from tests.api.test_openapi import SPEC_PATH
from tests.cases.factories import bearer
from tests.contract.seed import seed_directory
from tests.payments_support import WEBHOOK_SECRET

pytestmark = pytest.mark.slow  # seconds per operation: run it, but let a quick loop leave it out

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
# Per operation and generation phase (explicit examples, coverage, fuzzing): about 4,900 requests
# in all, some 75 s per database pass.
EXAMPLES_PER_OPERATION = 24
REQUESTS: Counter[str] = Counter()  # requests sent, by operation
STATUSES: Counter[int] = Counter()  # and the status codes they got

schema = schemathesis.openapi.from_dict(yaml.safe_load(SPEC_PATH.read_text()))


@pytest.fixture
def contract_app(app, session):
    """The app over the seeded directory, with the in-memory Stripe twin; returns (app, accounts)."""
    app.config.update(STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET)
    app.extensions["stripe"] = FakeStripeGateway()
    return app, seed_directory(session)


_ROTATIONS: dict[str, itertools.cycle] = {}


def _callers(operation) -> itertools.cycle:
    """Each secured operation cycles through every role and, now and then, no token at all."""
    key = operation.label
    if key not in _ROTATIONS:
        secured = bool(operation.definition.raw.get("security"))
        _ROTATIONS[key] = itertools.cycle([*Role, None] if secured else [None])
    return _ROTATIONS[key]


@schema.parametrize()
@settings(max_examples=EXAMPLES_PER_OPERATION, derandomize=True, deadline=None, database=None,
          suppress_health_check=list(HealthCheck))
def test_operation_keeps_its_contract(case, contract_app, session):
    """One generated request per example, authenticated in turn as each role, checked against the spec."""
    app, accounts = contract_app
    callers = _callers(case.operation)
    caller = next(callers)
    headers = dict(case.headers or {})
    if caller is not None:
        headers["Authorization"] = bearer(session, accounts[caller])["Authorization"]
        session.commit()
    response = case.call_and_validate(app=app, headers=headers, checks=CHECKS)
    REQUESTS[case.operation.label] += 1
    STATUSES[response.status_code] += 1
