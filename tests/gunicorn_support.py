"""A real gunicorn with two sync workers on a free loopback port, for tests about what workers share."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

from tests.smtp_support import _free_port

ROOT = Path(__file__).resolve().parents[1]
T = TypeVar("T")


def on_both_workers(first: Callable[[], T], second: Callable[[], T]) -> tuple[T, T]:
    """Both calls' results, the two requests sent at the same moment.

    The kernel may hand every sequential connection to the same sync worker. Two requests in flight
    together cannot share one: if each answer takes longer than sending the other (an answer floor),
    the second goes to the other worker.
    """
    with ThreadPoolExecutor(max_workers=2) as pool:
        a, b = pool.submit(first), pool.submit(second)
        return a.result(), b.result()


@contextmanager
def two_workers(tmp_path: Path, settings: dict[str, str]) -> Iterator[tuple[str, Path]]:
    """(base URL, access log path) of gunicorn serving the app with these environment settings.

    Each access line reads "worker=<pid> <request line> <status>".
    """
    port = _free_port()
    config = tmp_path / "gunicorn.conf.py"
    config.write_text("")  # not the repository's: no warm-up needed here
    with open(tmp_path / "gunicorn.log", "w") as log:
        process = subprocess.Popen(
            [
                str(Path(sys.executable).with_name("gunicorn")),
                "-c",
                str(config),
                "-w",
                "2",
                "-b",
                f"127.0.0.1:{port}",
                "--no-control-socket",
                "--access-logfile",
                "-",
                "--access-logformat",
                "worker=%(p)s %(r)s %(s)s",
                "api.app:create_app()",
            ],
            cwd=ROOT,
            env={**os.environ, **settings},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            _wait_ready(base, process)
            yield base, tmp_path / "gunicorn.log"
        finally:
            process.terminate()
            process.wait(timeout=30)


def _wait_ready(base: str, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, "gunicorn exited"
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=10):
                return
        except OSError:  # refused, or timed out while the workers start
            time.sleep(0.2)
    raise AssertionError("gunicorn did not answer")
