"""gunicorn under test for the load test: started on a free loopback port, ready when every worker is warm."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import fields
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# gunicorn.conf.py's own settings and hooks, plus a marker per worker once it is initialised (after the
# project's own post_worker_init, if it still has one): /readyz alone cannot say which worker answered.
WRAPPER = """\
import os as _os
_conf = {conf!r}
exec(compile(open(_conf).read(), _conf, "exec"))
_warm = globals().get("post_worker_init")


def post_worker_init(worker):
    if _warm is not None:
        _warm(worker)
    open(_os.path.join({ready!r}, str(_os.getpid())), "w").close()
"""


def free_port() -> int:
    """A TCP port on 127.0.0.1 nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def unlimited_rates() -> dict[str, str]:
    """Rate-limit settings (if the app has them) raised far above what the load test sends."""
    from api.config import Config

    out = {}
    for f in fields(Config):
        if f.name.startswith("RATE_LIMIT_") and f.init:
            kind = type(getattr(Config, f.name, ""))
            if kind is str and "/" in str(getattr(Config, f.name)):  # a limits string, like "120/minute"
                out[f.name] = "1000000/second"
            elif kind is int:
                out[f.name] = "1000000"
    return out


class ServingProcess:
    """gunicorn serving the app over one SQLite directory; a context manager that always stops it."""

    def __init__(self, database: Path, workers: int, scratch: Path, log_path: Path):
        self.database, self.workers = database, workers
        self.ready_dir = scratch / "ready"
        self.config = scratch / "gunicorn_load.conf.py"
        self.log_path, self.port = log_path, free_port()
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> ServingProcess:
        self.ready_dir.mkdir()
        self.config.write_text(WRAPPER.format(conf=str(ROOT / "gunicorn.conf.py"), ready=str(self.ready_dir)))
        env = {
            **os.environ,
            "DATABASE_URL": f"sqlite:///{self.database}",
            "HOST": "127.0.0.1",
            "PORT": str(self.port),
            "WEB_CONCURRENCY": str(self.workers),
            "LOG_LEVEL": "WARNING",
            **unlimited_rates(),
        }
        command = [sys.executable, "-m", "gunicorn", "--config", str(self.config), "api.app:create_app()"]
        self.log = open(self.log_path, "w")
        self.process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT)
        return self

    @property
    def master(self) -> subprocess.Popen:
        """The gunicorn master process (once started)."""
        if self.process is None:
            raise RuntimeError("gunicorn is not started")
        return self.process

    def wait_ready(self, timeout_s: float) -> None:
        """Block until every worker has built its index and /readyz answers 200."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.master.poll() is not None:
                raise RuntimeError(f"gunicorn exited ({self.master.returncode}); see {self.log_path}")
            if len(os.listdir(self.ready_dir)) >= self.workers and self._readyz():
                return
            time.sleep(0.5)
        raise TimeoutError(f"gunicorn not ready after {timeout_s} s; see {self.log_path}")

    def _readyz(self) -> bool:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/readyz", timeout=5) as answer:
                return answer.status == 200
        except OSError:
            return False

    def worker_pids(self) -> list[int]:
        """The master's children: the workers."""
        path = Path(f"/proc/{self.master.pid}/task/{self.master.pid}/children")
        return [int(pid) for pid in path.read_text().split()] if path.exists() else []

    def cpu_seconds(self) -> float:
        """User + system CPU of the master and its workers so far."""
        ticks = os.sysconf("SC_CLK_TCK")
        total = 0.0
        for pid in [self.master.pid, *self.worker_pids()]:
            try:
                stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += (int(stat[11]) + int(stat[12])) / ticks  # utime, stime
        return total

    def settle(self, idle_cpu_share: float = 0.1, timeout_s: float = 30.0) -> float:
        """Wait until the server uses under `idle_cpu_share` of a core (what a stopped step left queued is
        answered); the seconds waited."""
        started = time.monotonic()
        before = self.cpu_seconds()
        while time.monotonic() - started < timeout_s:
            time.sleep(0.5)
            after = self.cpu_seconds()
            if after - before < 0.5 * idle_cpu_share:
                break
            before = after
        return time.monotonic() - started

    def __exit__(self, *exc) -> None:
        """Stop gracefully (SIGTERM lets workers finish their request), then by force if it hangs."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self.log.close()
