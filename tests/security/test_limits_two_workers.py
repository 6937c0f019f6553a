"""Against a real gunicorn with two workers: a rate limit holds in total, not once per worker.

The counters live in a memory-mapped file both workers map (api/security/shared_counters.py). With
counters per worker, the first request a second worker answers would always be let through.
"""
from __future__ import annotations

import re
import socket
import time
import urllib.error
import urllib.request

import pytest

from tests.gunicorn_support import two_workers

pytestmark = pytest.mark.slow
LIMIT = 5
ACCESS = re.compile(r"worker=<?(\d+)>? GET /v1/geocode\S* HTTP/1\.\d (\d{3})")


@pytest.fixture
def server(database_url, tmp_path):
    """gunicorn, 2 sync workers, search limited to LIMIT a minute, counters in a file of this test's."""
    settings = {"DATABASE_URL": database_url, "LOG_FORMAT": "text", "MAIL_MBOX": "", "NOTIFIER": "log",
                "RATE_LIMIT_SEARCH": f"{LIMIT}/minute",
                "RATELIMIT_STORAGE_URI": f"shared-file://{tmp_path / 'ratelimit.counters'}"}
    with two_workers(tmp_path, settings) as served:
        yield served


def _get(url: str) -> int:
    request = urllib.request.Request(url, headers={"Connection": "close"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_the_limit_holds_across_both_workers(server):
    base, log = server
    port = int(base.rsplit(":", 1)[1])
    # The kernel may hand every connection to one worker. So keep one worker busy reading a request
    # we have not finished: the next ones can only go to the other. Then finish it.
    with socket.create_connection(("127.0.0.1", port), timeout=30) as held:
        held.sendall(b"GET /v1/geocode HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n")
        others = [_get(f"{base}/v1/geocode") for _ in range(LIMIT + 1)]
        held.sendall(b"\r\n")
        held_status = int(held.recv(64).split()[1])
    answered: dict[str, list[str]] = {}
    for _ in range(100):  # a worker writes its access line just after answering
        answered = {}
        for worker, status in ACCESS.findall(log.read_text()):
            answered.setdefault(worker, []).append(status)
        if sum(map(len, answered.values())) == LIMIT + 2:
            break
        time.sleep(0.1)
    assert len(answered) == 2, log.read_text()[-2000:]
    assert sorted(s for per_worker in answered.values() for s in per_worker) == sorted(
        str(s) for s in [*others, held_status])
    # Counted per worker, the held request would have been let through too: LIMIT + 1 in all.
    assert [*others, held_status].count(429) == 2, answered  # 422s (no q) count; the rest are refused
