"""Memory of `make run`'s server on a large directory: gunicorn master + workers, as PSS and USS.

    .venv/bin/python -m bench.serve_memory --database var/bench/seed-1000000.db [--workers 2] [--requests 400]

Starts gunicorn with gunicorn.conf.py (the master builds the index before it opens the port, then
forks), records how long until GET /healthz answers, sends `--requests` POST /v1/matches bodies
(bench.load_bodies) two at a time so both workers serve (the search rate limit lifted, so each one
is a match), then reads /proc/<pid>/smaps_rollup of every process. RSS counts
shared pages once per process; PSS splits them between the processes sharing them, so the sum of
PSS is what the server costs the machine. Prints one JSON line and stops the server.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def rollup(pid: int) -> dict[str, int]:
    """Rss, Pss and Private (USS) of one process, in MB."""
    fields: dict[str, int] = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
        name, value = line.split(":", 1)
        fields[name] = int(value.split()[0])
    uss = fields.get("Private_Clean", 0) + fields.get("Private_Dirty", 0)
    return {"rss_mb": fields["Rss"] // 1024, "pss_mb": fields["Pss"] // 1024, "uss_mb": uss // 1024}


def children(pid: int) -> list[int]:
    """Direct child processes of `pid`."""
    found = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return [int(p) for p in found]


def main() -> None:
    """Start the server, wait until it answers, measure, stop."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", type=Path, default=ROOT / "var" / "bench" / "seed-1000000.db")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--port", type=int, default=8077)
    parser.add_argument("--timeout", type=float, default=600.0)
    parser.add_argument("--requests", type=int, default=400)
    args = parser.parse_args()
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{args.database.resolve()}",
        "PORT": str(args.port),
        "WEB_CONCURRENCY": str(args.workers),
        # Every request must be a match that reaches the engine (its work arrays count), not a 429.
        "RATE_LIMIT_SEARCH": "1000000/minute",
    }
    started = time.monotonic()
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--config", "gunicorn.conf.py", "api.app:create_app()"], cwd=ROOT, env=env
    )
    try:
        ready_s = _wait(f"http://127.0.0.1:{args.port}/healthz", started, args.timeout)
        statuses = _matches(f"http://127.0.0.1:{args.port}/v1/matches", args.database, args.requests)
        if set(statuses) != {200}:  # e.g. a directory seeded before the latest migration: `secondlook db-upgrade`
            print(f"warning: not every match succeeded: {statuses}", file=sys.stderr)
        workers = children(server.pid)
        master = rollup(server.pid)
        each = [rollup(pid) for pid in workers]
        print(
            json.dumps(
                {
                    "benchmark": "serve_memory",
                    "database": str(args.database),
                    "workers": len(workers),
                    "ready_s": round(ready_s, 1),
                    "match_statuses": statuses,
                    "master": master,
                    "worker_each": each,
                    "workers_pss_mb": sum(w["pss_mb"] for w in each),
                    "workers_uss_mb": sum(w["uss_mb"] for w in each),
                    "all_pss_mb": master["pss_mb"] + sum(w["pss_mb"] for w in each),
                    "all_rss_mb": master["rss_mb"] + sum(w["rss_mb"] for w in each),
                    "load_avg": os.getloadavg()[0],
                }
            )
        )
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)


def _matches(url: str, database: Path, count: int) -> dict[int, int]:
    """Send `count` varied match requests, two at a time; how many got each status."""
    from api.db import make_engine
    from bench.load_bodies import make_bodies

    engine = make_engine(f"sqlite:///{database.resolve()}")
    bodies = make_bodies(engine, count)
    engine.dispose()

    def send(body: dict) -> int:
        request = urllib.request.Request(url, json.dumps(body).encode(), {"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=60) as answer:
                return answer.status
        except urllib.error.HTTPError as error:
            return error.code

    with ThreadPoolExecutor(2) as pool:
        codes = list(pool.map(send, bodies))
    return {code: codes.count(code) for code in sorted(set(codes))}


def _wait(url: str, started: float, timeout: float) -> float:
    while time.monotonic() - started < timeout:
        try:
            with urllib.request.urlopen(url, timeout=5) as answer:
                if answer.status == 200:
                    return time.monotonic() - started
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"{url} did not answer within {timeout:.0f} s")


if __name__ == "__main__":
    main()
