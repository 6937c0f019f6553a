"""Schemathesis against the app: every operation, as every role, answers what docs/openapi.yaml promises.

Every check schemathesis has (`--checks all`): no 5xx; documented statuses, content types, headers
and bodies; schema-valid requests accepted and schema-invalid ones refused; required headers,
methods, Allow, authentication. /metrics is not part of the API document.

What a client knows that no JSON Schema can say is done here, and only for schema-valid requests:
each gets an Idempotency-Key of its own (a reused key with another body is refused, as it should
be); a webhook body is signed with the endpoint's secret as Stripe would sign it; an uploaded
record is a real PDF (records are judged by their content); an NPI gets its check digit, and a
condition code or ZIP is one the reference endpoints list (the schema describes each, but a
catalogue of 80,000 codes or a checksum is no pattern). A rule between query parameters, which
OpenAPI cannot state, is published in the operation's x-query-rules and held both ways here.
"""

from __future__ import annotations

import itertools
import json
import uuid
from collections import Counter
from datetime import date

import pytest
import schemathesis
import schemathesis.specs.openapi.checks  # noqa: F401 (registers the OpenAPI checks with the registry below)
import stripe
import yaml
from hypothesis import HealthCheck, settings
from jsonschema import Draft202012Validator
from schemathesis.checks import CHECKS as REGISTERED_CHECKS
from schemathesis.core.parameters import ParameterLocation

from api.identifiers import make_npi
from api.models import Role
from api.schema_rules import QUERY_RULES
from billing.fake import FakeStripeGateway
from tests.api.test_openapi import SPEC_PATH
from tests.cases.factories import bearer
from tests.contract.seed import seed_directory
from tests.payments_support import WEBHOOK_SECRET
from tests.sample_files import PDF

pytestmark = pytest.mark.slow  # seconds per operation: run it, but let a quick loop leave it out


def _breaks_query_rules(case) -> bool:
    """Whether the request's query breaks the rules its operation publishes in x-query-rules."""
    query_rules = case.operation.definition.raw.get(QUERY_RULES)
    return (
        bool(query_rules)
        and isinstance(case.query, dict)
        and not Draft202012Validator(query_rules).is_valid(case.query)
    )


def _held_to_query_rules(check):
    """`check`, for a request that keeps its operation's x-query-rules; one that breaks them must get a 4xx.

    OpenAPI describes each query parameter on its own, so schemathesis calls lat without lon valid; the
    operation publishes the rule between them in x-query-rules, which makes such a request invalid.
    """

    def checked(ctx, response, case):
        replay = response.request.method != case.operation.method.upper()  # another check's OPTIONS, TRACE...
        if not replay and _breaks_query_rules(case):
            assert 400 <= response.status_code < 500, (
                f"{case.query} breaks x-query-rules, yet got {response.status_code}"
            )
            return None
        return check(ctx, response, case)

    checked.__name__ = check.__name__
    return checked


CHECKS = [
    _held_to_query_rules(check) if check.__name__ == "positive_data_acceptance" else check
    for check in REGISTERED_CHECKS.get_all()
]  # every check, as `--checks all` runs them
KNOWN_CODES = {"ORPHA": "520", "ICD-10-CM": "C92.40"}  # what GET /v1/reference/conditions lists
# Per operation and generation phase (explicit examples, coverage, fuzzing): about 5,200 requests
# in all, plus the checks' replays; 4 to 5 minutes a database pass on a busy 2-core machine.
EXAMPLES_PER_OPERATION = 24
REQUESTS: Counter[str] = Counter()  # requests sent, by operation
STATUSES: Counter[int] = Counter()  # and the status codes they got


class CurrentApp:
    """The running test's app, as the schema's WSGI app: checks that replay a request reach it too."""

    app = None

    def __call__(self, environ, start_response):
        """Hand the request to the test's app."""
        return self.app(environ, start_response)


CURRENT_APP = CurrentApp()
schema = schemathesis.openapi.from_dict(yaml.safe_load(SPEC_PATH.read_text()))
schema.app = CURRENT_APP


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
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_operation_keeps_its_contract(case, contract_app, session):
    """One generated request per example, authenticated in turn as each role, checked against the spec."""
    app, accounts = contract_app
    CURRENT_APP.app = app
    callers = _callers(case.operation)
    caller = next(callers)
    headers = dict(case.headers or {})
    if caller is not None and not _drops_a_required_header(case):
        headers["Authorization"] = bearer(session, accounts[caller])["Authorization"]
        session.commit()
    if case.meta is not None and all(info.mode.is_positive for info in case.meta.components.values()):
        _act_as_a_client(case, headers)
    response = case.call_and_validate(headers=headers, checks=CHECKS)
    REQUESTS[case.operation.label] += 1
    STATUSES[response.status_code] += 1


def _drops_a_required_header(case) -> bool:
    """Whether this request was generated without a header the spec requires (Authorization among them)."""
    header = case.meta.components.get(ParameterLocation.HEADER) if case.meta is not None else None
    return header is not None and not header.mode.is_positive


def _act_as_a_client(case, headers: dict) -> None:
    """Give a schema-valid request what a real client adds: a fresh idempotency key, a signature, a real file."""
    if "Idempotency-Key" in headers:
        headers["Idempotency-Key"] = uuid.uuid4().hex
    if case.path == "/v1/stripe/webhook" and isinstance(case.body, dict):
        _swap_body(case, json.dumps(case.body).encode())
        headers["Stripe-Signature"] = stripe.WebhookSignature.generate_signature_header(
            case.body.decode(), WEBHOOK_SECRET
        )
    if case.path.endswith("/records") and case.method == "POST" and isinstance(case.body, dict):
        _swap_body(case, {**case.body, "file": PDF})
    _use_known_identifiers(case.body)
    if isinstance(case.query, dict) and isinstance(case.query.get("condition"), str):
        case.query["condition"] = "ORPHA:520"
    if isinstance(case.query, dict) and isinstance(case.query.get("zip"), str):
        case.query["zip"] = "10001"


def _swap_body(case, body) -> None:
    """Replace the generated body with the bytes a client sends (a signed event, a real file).

    Swapped past the change tracking and re-hashed: schemathesis cannot validate a body holding bytes,
    and would call the request schema-violating once it noticed the edit.
    """
    object.__setattr__(case, "body", body)
    case._meta.update_validated_hash(ParameterLocation.BODY, case._hash_container(case.body))


def _use_known_identifiers(node) -> None:
    """Give every NPI its check digit, every condition code and ZIP a listed value, a birth date the past."""
    for item in node.values() if isinstance(node, dict) else node if isinstance(node, list) else ():
        _use_known_identifiers(item)
    if not isinstance(node, dict):
        return
    if isinstance(node.get("npi"), str) and len(node["npi"]) == 10:
        node["npi"] = make_npi(int(node["npi"][:9]))
    if isinstance(node.get("npis"), list):
        node["npis"] = [
            make_npi(int(npi[:9])) if isinstance(npi, str) and len(npi) == 10 else npi for npi in node["npis"]
        ]
    if node.get("system") in KNOWN_CODES and isinstance(node.get("code"), str):
        node["code"] = KNOWN_CODES[node["system"]]
    if isinstance(node.get("zip"), str):
        node["zip"] = "10001"
    if isinstance(node.get("birth_date"), str) and node["birth_date"] > date.today().isoformat():
        node["birth_date"] = "1984-03-09"  # a birth date is in the past: a date, not a schema, says so
