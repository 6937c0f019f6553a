"""Against two real gunicorn workers: a case invitation to an address with an account and to one without
gets the same status, the same body (but for ids and times) and, within a small tolerance, the same time."""

from __future__ import annotations

import json
import re
import statistics
import time
import urllib.error
import urllib.request
from functools import partial

import pytest

from api.auth.services import create_user
from api.models import Role
from tests.accounts.test_two_workers import PASSWORD, TOLERANCE_S, server  # noqa: F401 (the fixture)
from tests.cases.factories import case_body
from tests.gunicorn_support import on_both_workers

pytestmark = pytest.mark.slow


def _invite(base: str, headers: dict, email: str) -> tuple[int, dict, float]:
    """POST /v1/cases for a patient invited at `email`: status, body and seconds taken."""
    body = case_body(
        patient={"email": email, "name": "Pat Example", "birth_date": "1980-05-17", "sex": "female", "zip": "10001"}
    )
    request = urllib.request.Request(
        f"{base}/v1/cases",
        data=json.dumps(body).encode(),
        method="POST",
        headers={"Content-Type": "application/json", "Connection": "close", **headers},
    )
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            status, payload = response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        status, payload = error.code, json.loads(error.read())
    return status, payload, time.perf_counter() - started


MAX_PAIRS = 16


def _workers(log) -> set[str]:
    """The gunicorn workers that answered a case invitation so far (from the access log)."""
    return set(re.findall(r"worker=<?(\d+)>? POST /v1/cases", log.read_text()))


def _shape(answer: dict) -> dict:
    """The answer without what differs from case to case anyway: ids, times and the address itself."""
    return {
        **answer,
        "id": None,
        "created_at": None,
        "invitation": {**answer["invitation"], "email": None, "expires_at": None},
    }


def test_a_case_invitation_tells_nothing_about_the_address(app, server, mail):  # noqa: F811 (the fixture)
    base, log = server
    with app.app_context():
        from api.db import db

        with db.new_session() as session:
            create_user(
                session,
                email="doc@example.test",
                password=PASSWORD,
                role=Role.REFERRING_PHYSICIAN,
                display_name="Dr. Doc",
                npi="1234567893",
            )
            for n in range(MAX_PAIRS):
                create_user(
                    session, email=f"real{n}@example.test", password=PASSWORD, role=Role.PATIENT, display_name="Real"
                )
            session.commit()
    login = urllib.request.Request(
        f"{base}/v1/auth/token",
        method="POST",
        headers={"Content-Type": "application/json"},
        data=json.dumps({"email": "doc@example.test", "password": PASSWORD}).encode(),
    )
    with urllib.request.urlopen(login, timeout=30) as response:
        headers = {"Authorization": "Bearer " + json.loads(response.read())["access_token"]}

    # Each worker's first case is slow (it loads what a case needs): warm both up before measuring.
    on_both_workers(
        lambda: _invite(base, headers, "warm0@example.test"), lambda: _invite(base, headers, "warm1@example.test")
    )
    real, ghost = [], []
    for n in range(MAX_PAIRS // 2):  # each pair in flight together, so a slow moment falls on both kinds
        r, g = on_both_workers(
            partial(_invite, base, headers, f"real{n}@example.test"),
            partial(_invite, base, headers, f"ghost{n}@example.test"),
        )
        real.append(r)
        ghost.append(g)
    assert {(status, json.dumps(_shape(body), sort_keys=True)) for status, body, _ in real + ghost} == {
        (201, json.dumps(_shape(real[0][1]), sort_keys=True))
    }
    assert abs(statistics.median(r[2] for r in real) - statistics.median(g[2] for g in ghost)) < TOLERANCE_S
    assert len(_workers(log)) == 2
    # Both kinds of address got the same message, after the answer.
    assert mail.wait_for("real0@example.test")[0]["Subject"] == mail.wait_for("ghost0@example.test")[0]["Subject"]
