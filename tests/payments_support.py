"""Fixtures and helpers of the coverage, scheduling and billing tests: people, slots, Stripe twins.

`localstripe` (PyPI) runs as a subprocess on a free loopback port for the whole session, so the
real Stripe SDK talks HTTP to a Stripe-compatible server; `fake_stripe` is the in-memory twin.
"""
from __future__ import annotations

import hashlib
import itertools
import json
import secrets
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone

import pytest
import requests
import stripe

from sqlalchemy.orm import Session

from api.db import utcnow
from api.models import AccessToken, PlanType, Role, Slot, User, VisitMode
from api.models.coverage import PlanBenefit, PriorAuthRule
from billing.fake import FakeStripeGateway
from billing.stripe_client import StripeGateway
from tests.factories import make_network, make_specialist

WEBHOOK_SECRET = "whsec_test_secondlook"
_seq = itertools.count(1)
# localstripe keeps its store in /tmp/localstripe.pickle and listens on every interface; this
# starter keeps it in memory and on loopback only.
_START_LOCALSTRIPE = """
import socket, sys
import localstripe.resources as resources
resources.Store.dump_to_disk = lambda self: None
from aiohttp import web
from localstripe.server import app
sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
sock.bind(("127.0.0.1", int(sys.argv[1])))
web.run_app(app, sock=sock, print=None, access_log=None)
"""


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def localstripe_url():
    """A localstripe server for the session, on loopback; stopped at the end."""
    port = free_port()
    process = subprocess.Popen([sys.executable, "-c", _START_LOCALSTRIPE, str(port)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while True:
        try:
            requests.get(f"{url}/v1/balance", auth=("sk_test_x", ""), timeout=1)
            break
        except requests.ConnectionError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise RuntimeError("localstripe did not start: " + process.stderr.read().decode()[-2000:])
            time.sleep(0.1)
    yield url
    process.terminate()
    process.wait(timeout=10)


class RecordingClient(stripe.RequestsClient):
    """The SDK's requests client, keeping every request body sent (to prove what reaches Stripe)."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.sent: list[tuple[str, str, str]] = []

    def request(self, method, url, headers, post_data=None):
        """Send as usual, remembering method, URL and body."""
        self.sent.append((method, url, post_data or ""))
        return super().request(method, url, headers, post_data)


@pytest.fixture
def localstripe(app, localstripe_url):
    """The app's Stripe gateway aimed at localstripe through the official SDK; returns its recording client."""
    client = RecordingClient(timeout=5)
    app.config.update(STRIPE_API_BASE=localstripe_url, STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET)
    app.extensions["stripe"] = StripeGateway("sk_test_secondlook", api_base=localstripe_url,
                                             max_network_retries=0, http_client=client)
    return client


@pytest.fixture
def fake_stripe(app):
    """The in-memory twin as the app's Stripe gateway."""
    app.config.update(STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET)
    app.extensions["stripe"] = FakeStripeGateway()
    return app.extensions["stripe"]


@contextmanager
def reading(session):
    """A short session of its own for assertions: it sees what requests committed, and it ends.

    (On SQLite every transaction takes the write lock, so a test's session left open would block
    the requests it makes next.)
    """
    with Session(bind=session.get_bind(), expire_on_commit=False) as fresh:
        yield fresh


def make_person(session, role: Role = Role.PATIENT, name: str | None = None) -> tuple[User, dict]:
    """An account and bearer headers for it, without the (slow, argon2) login."""
    n = next(_seq)
    user = User(email=f"person{n}-{secrets.token_hex(3)}@example.test", password_hash="!", role=role,
                display_name=name or f"Person {n}")
    token = secrets.token_urlsafe(24)
    session.add(user)
    session.flush()
    session.add(AccessToken(user_id=user.id, token_sha256=hashlib.sha256(token.encode()).hexdigest(),
                            expires_at=utcnow() + timedelta(hours=1)))
    return user, {"Authorization": f"Bearer {token}"}


def make_plan(session, plan_type: PlanType = PlanType.HMO, **benefit):
    """A network and a plan of `plan_type` with coverage rules; returns (network, plan)."""
    network, plan = make_network(session, plan_type=plan_type)
    session.flush()
    prior_auth = benefit.pop("prior_auth", ())
    defaults = dict(referral_required=plan_type in (PlanType.HMO, PlanType.POS), copay_cents=None,
                    coinsurance_pct=20, deductible_cents=100_000, oop_max_cents=500_000,
                    out_of_network_covered=plan_type in (PlanType.PPO, PlanType.POS))
    session.add(PlanBenefit(plan_id=plan.id, **{**defaults, **benefit}))
    session.flush()
    session.add_all(PriorAuthRule(plan_id=plan.id, taxonomy_code=code, service=service) for code, service in prior_auth)
    return network, plan


def make_bookable(session, *, price_cents: int = 45_000, starts_in: timedelta = timedelta(days=3), networks=(),
                  slots: int = 1, **kw):
    """A self-pay specialist with `slots` one-hour slots from `starts_in`; returns (specialist, [slots])."""
    specialist = make_specialist(session, self_pay_price_cents=price_cents, networks=networks, **kw)
    session.flush()
    start = (utcnow() + starts_in).replace(microsecond=0)
    made = [Slot(specialist_id=specialist.id, practice_location_id=specialist.practice_locations[0].id,
                 mode=VisitMode.IN_PERSON, starts_at=start + timedelta(hours=i),
                 ends_at=start + timedelta(hours=i + 1)) for i in range(slots)]
    session.add_all(made)
    session.flush()
    return specialist, made


def signed(event: dict, secret: str = WEBHOOK_SECRET, at: int | None = None) -> tuple[bytes, dict]:
    """A webhook body and headers signed the way Stripe signs them (t=..., v1=HMAC-SHA256)."""
    body = json.dumps(event)
    header = stripe.WebhookSignature.generate_signature_header(body, secret, timestamp=at)
    return body.encode(), {"Stripe-Signature": header, "Content-Type": "application/json"}


def event(kind: str, obj: dict, event_id: str | None = None) -> dict:
    """A Stripe event envelope around `obj` (whose fields are not trusted anyway)."""
    return {"id": event_id or f"evt_test_{next(_seq)}_{secrets.token_hex(4)}", "object": "event", "type": kind,
            "created": int(time.time()), "data": {"object": obj}, "api_version": "2025-01-27.acacia"}


def deliver(client, payload: dict, **kw):
    """POST a signed event to the webhook endpoint."""
    body, headers = signed(payload, **kw)
    return client.post("/v1/stripe/webhook", data=body, headers=headers)


def in_hours(hours: float) -> datetime:
    """A moment `hours` from now, UTC."""
    return datetime.now(timezone.utc) + timedelta(hours=hours)
