"""Against a real gunicorn with two workers on loopback: unknown and real e-mails get the same status,
body and (within a small tolerance) time from login, throttling, registration and reset; the
throttle's counters are shared by both workers."""

from __future__ import annotations

import json
import re
import statistics
import time
import urllib.error
import urllib.request

import pytest

from api.auth.services import create_user
from api.models import Role
from tests.gunicorn_support import on_both_workers, two_workers

pytestmark = pytest.mark.slow
FLOOR_MS = 1200  # above the slowest password hash on a busy test machine
TOLERANCE_S = 0.15
PASSWORD = "a long enough passphrase"


@pytest.fixture
def server(app, database_url, mail, tmp_path):
    """gunicorn, 2 sync workers, on a free loopback port, against this test's database and SMTP server."""
    settings = {
        "DATABASE_URL": database_url,
        "MAILER": "smtp",
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(mail.port),
        "LOG_FORMAT": "text",
        "RATE_LIMIT_LOGIN": "100000/minute",
        "LOGIN_MAX_FAILURES": "3",
        "LOGIN_BACKOFF_BASE_S": "60",
        "LOGIN_ADDRESS_MAX_FAILURES": "100000",
        "ACCOUNT_ANSWER_FLOOR_MS": str(FLOOR_MS),
        "MAIL_MBOX": "",
        "NOTIFIER": "log",
    }
    with two_workers(tmp_path, settings) as served:
        yield served


def _post(base: str, path: str, body: dict) -> tuple[int, dict, dict, float]:
    """Status, JSON body, headers and seconds taken, on a connection of its own."""
    request = urllib.request.Request(
        base + path,
        data=json.dumps(body).encode(),
        method="POST",
        headers={"Content-Type": "application/json", "Connection": "close"},
    )
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            status, payload, headers = response.status, response.read(), dict(response.headers)
    except urllib.error.HTTPError as error:
        status, payload, headers = error.code, error.read(), dict(error.headers)
    return status, json.loads(payload), headers, time.perf_counter() - started


def _accounts(app, *emails: str) -> None:
    with app.app_context():
        from api.db import db

        with db.new_session() as session:
            for email in emails:
                create_user(session, email=email, password=PASSWORD, role=Role.PATIENT, display_name="Real")
            session.commit()


def _same_time(real: list[float], unknown: list[float]) -> None:
    assert min(real + unknown) >= FLOOR_MS / 1000 * 0.95
    assert abs(statistics.median(real) - statistics.median(unknown)) < TOLERANCE_S, (real, unknown)


def test_login_and_throttle_answers_are_the_same_for_unknown_and_real_emails(app, server):
    base, log = server
    _accounts(app, "real@example.test")
    real, ghost = [], []
    for _ in range(6):  # each real attempt beside a ghost one, so the two workers serve every pair
        r, g = on_both_workers(
            lambda: _post(base, "/v1/auth/token", {"email": "real@example.test", "password": "guess"}),
            lambda: _post(base, "/v1/auth/token", {"email": "ghost@example.test", "password": "guess"}),
        )
        real.append(r)
        ghost.append(g)
    assert [r[0] for r in real] == [g[0] for g in ghost] == [401, 401, 401, 429, 429, 429]
    assert [r[1] for r in real] == [g[1] for g in ghost]
    assert abs(int(real[3][2]["Retry-After"]) - int(ghost[3][2]["Retry-After"])) <= 1
    # Both workers served (each pair was in flight together), and the counts were shared: from the 4th
    # attempt on, each is blocked whichever worker answers.
    workers = set(re.findall(r"worker=<?(\d+)>? POST /v1/auth/token", log.read_text()))
    assert len(workers) == 2, log.read_text()[-2000:]
    _same_time([r[3] for r in real[:3]], [g[3] for g in ghost[:3]])


def test_registration_and_reset_answer_the_same_whether_or_not_the_email_has_an_account(app, server, mail):
    base, _ = server
    taken = [f"taken{n}@example.test" for n in range(4)]
    _accounts(app, *taken)
    register = {"password": PASSWORD, "display_name": "Pat"}
    real, fresh = [], []
    for n in range(4):  # interleaved, so a slow moment of the machine falls on both
        real.append(_post(base, "/v1/accounts/patients", {**register, "email": taken[n]}))
        fresh.append(_post(base, "/v1/accounts/patients", {**register, "email": f"new{n}@example.test"}))
    assert {(r[0], json.dumps(r[1])) for r in real + fresh} == {(202, json.dumps(real[0][1]))}
    _same_time([r[3] for r in real], [f[3] for f in fresh])

    real, ghost = [], []
    for n in range(4):
        real.append(_post(base, "/v1/accounts/password-reset", {"email": taken[n]}))
        ghost.append(_post(base, "/v1/accounts/password-reset", {"email": f"ghost{n}@example.test"}))
    assert {(r[0], json.dumps(r[1])) for r in real + ghost} == {(202, json.dumps(real[0][1]))}
    _same_time([r[3] for r in real], [g[3] for g in ghost])
    # The workers' couriers sent the mail after answering: to the owners only.
    assert mail.wait_for(taken[0], count=2)[1]["Subject"] == "Reset your SecondLook password"
    assert mail.received("ghost0@example.test") == []
    assert mail.wait_for("new0@example.test")[0]["Subject"] == "Confirm your e-mail address"
