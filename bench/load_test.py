"""Load test: gunicorn + the embedded engine over N specialists, driven by wrk on loopback; one JSON summary.

    .venv/bin/python -m bench.load_test [--size 100000] [--duration 30] [--connections 64] [--workers 2]

Seeds var/bench/seed-N.db if missing, writes a few hundred varied match bodies, starts
`gunicorn --config gunicorn.conf.py 'api.app:create_app()'` on a free 127.0.0.1 port, waits until every
worker has built its index, warms up, then runs
`wrk -t2 -c64 -d30s --latency -s bench/load_matches.lua http://127.0.0.1:PORT/v1/matches`.
Exits 1 if any request failed (non-200, socket error or timeout). Writes var/bench/load-results.json.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.load_server import ServingProcess

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / "var" / "bench"
LUA = ROOT / "bench" / "load_matches.lua"


def main(argv: list[str] | None = None) -> int:
    """Run the load test; 0 when every request succeeded."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--duration", type=int, default=30, help="seconds of measured load")
    parser.add_argument("--warmup", type=int, default=5, help="seconds of unmeasured load first")
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--wrk-threads", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (WEB_CONCURRENCY)")
    parser.add_argument("--threads", type=int, default=1, help="gunicorn threads per worker (gthread when > 1)")
    parser.add_argument("--bodies", type=int, default=400)
    parser.add_argument("--json", type=Path, default=BENCH_DIR / "load-results.json")
    parser.add_argument("--plot", type=Path, default=None, help="draw latency percentiles to this PNG")
    args = parser.parse_args(argv)
    wrk = shutil.which("wrk")
    if wrk is None:
        sys.exit("wrk is not installed (apt-get install -y wrk)")

    from bench.load_bodies import make_bodies, write_bodies
    from bench.match_bench import ensure_directory
    from bench.seed_bench import machine
    from api.db import make_engine

    database = ensure_directory(args.size)
    engine = make_engine(f"sqlite:///{database}")
    bodies_path = write_bodies(make_bodies(engine, args.bodies), BENCH_DIR / "load-bodies.jsonl")
    engine.dispose()

    log = BENCH_DIR / "load-gunicorn.log"
    with tempfile.TemporaryDirectory(prefix="secondlook-load-") as scratch, \
            ServingProcess(database, args.workers, args.threads, Path(scratch), log) as server:
        started = time.monotonic()
        server.wait_ready(timeout_s=600)
        ready_s = time.monotonic() - started
        url = f"http://127.0.0.1:{server.port}/v1/matches"
        wrk_args = [wrk, f"-t{args.wrk_threads}", f"-c{args.connections}"]
        if args.warmup:
            _wrk(wrk_args + [f"-d{args.warmup}s", "-s", str(LUA), url, "--", str(bodies_path)], args.warmup)
            time.sleep(3)  # the workers still owe answers to the warm-up's queued requests; let them drain
        server_cpu_before = server.cpu_seconds()
        command = wrk_args + [f"-d{args.duration}s", "--latency", "-s", str(LUA), url, "--", str(bodies_path)]
        output, wrk_cpu = _wrk(command, args.duration)
        server_cpu = server.cpu_seconds() - server_cpu_before
        workers = server.worker_pids()
    result = json.loads(next(line for line in output.splitlines() if line.startswith("LOADTEST "))[9:])
    summary = _summarise(result, args, command, server_cpu, wrk_cpu, ready_s, workers, machine())
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps({**summary, "wrk_output": output}, indent=1))
    print(output, file=sys.stderr)
    print(json.dumps(summary))
    if args.plot:
        from bench.load_report import plot_latency

        plot_latency(summary, args.plot)
    return 0 if summary["failed"] == 0 else 1


def _wrk(command: list[str], duration_s: int) -> tuple[str, float]:
    """Run wrk to completion (bounded); its output and the CPU seconds it used."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=duration_s + 60, check=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return done.stdout, (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)


def _summarise(result: dict, args, command: list[str], server_cpu: float, wrk_cpu: float, ready_s: float,
               workers: list[int], where: dict) -> dict:
    """Requests per second, latency percentiles in ms, failures, where the CPU went."""
    seconds = result["duration_us"] / 1e6
    errors = result["errors"]
    socket_errors = errors["connect"] + errors["read"] + errors["write"] + errors["timeout"]
    latency = {k: round(v / 1000, 2) for k, v in result["latency_us"].items()}
    return {
        "benchmark": "load_matches", "specialists": args.size, "gunicorn_workers": args.workers,
        "gunicorn_threads": args.threads, "worker_pids": workers, "connections": args.connections,
        "wrk_threads": args.wrk_threads, "duration_s": round(seconds, 2), "requests": result["requests"],
        "requests_per_s": round(result["requests"] / seconds, 1), "latency_ms": latency,
        "status_200": result["status_200"], "status_other": result["status_other"],
        "socket_errors": errors, "failed": result["status_other"] + socket_errors,
        "first_failure": result["first_failure"] or None,
        "server_cpu_ms_per_request": round(1000 * server_cpu / max(result["requests"], 1), 2),
        "server_cpu_cores": round(server_cpu / seconds, 2), "wrk_cpu_cores": round(wrk_cpu / seconds, 2),
        "ready_s": round(ready_s, 1), "load_average_1m_after": round(os.getloadavg()[0], 2),
        "command": " ".join(c.replace(f"{ROOT}/", "").replace("/usr/bin/", "") for c in command),
        "machine": where,
    }


if __name__ == "__main__":
    signal.signal(signal.SIGINT, signal.default_int_handler)
    os.chdir(ROOT)
    sys.exit(main())
