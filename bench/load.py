"""The HTTP load test in one command: closed loop, open loop, the bare-route ceiling and CPU per match.

    .venv/bin/python -m bench.load [--specialists 100000] [--write-docs] [--report-only]

1. The directory: var/bench/load-N.db, a copy of the matching benchmarks' var/bench/seed-N.db (seeded
   when missing) given what `make run` gives its directory: `secondlook db-upgrade` and
   `secondlook coverage-rules`, run on every start (both do nothing when done). Re-runs reuse it.
2. 400 varied POST /v1/matches bodies (bench/load_bodies.py), every other one naming a plan.
3. gunicorn with gunicorn.conf.py and 2 workers, as `make run` serves (rate limits raised out of reach),
   on a free loopback port; measuring starts once both workers are warm.
4. Closed loop at 1, 2, 4, 8, 16, 32 and 64 connections, and GET /healthz at 4 connections just before
   the matches at 4: req/s, p50, p99, failures.
5. Open loop (Poisson arrivals, latency from the scheduled time): the offered rate steps up until p99
   exceeds 50 ms or a request fails, then is bisected twice: the sustainable rate.
6. A fixed-rate phase: server CPU seconds (the gunicorn processes' /proc/<pid>/stat) per match served.
7. The generator's own ceiling, against a trivial server (bench/load_trivial.py) after gunicorn stops.

Prints progress and a summary with issue 13's acceptance checks (exit 1 when one fails), keeps the
figures in var/bench/load-N.json after every phase, and with --write-docs draws docs/img/load_*_N.png
and rewrites its part of the "Load test" section of docs/performance.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import resource
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from pathlib import Path

from bench.load_client import Client, Tally, closed_loop, http_request, open_loop, poisson_arrivals, sustainable_rate
from bench.load_directory import BENCH_DIR, ROOT, prepare_directory, request_payloads
from bench.load_plots import P99_MAX_MS
from bench.load_server import ServingProcess, free_port

try:
    import uvloop  # the generator's event loop: about half of asyncio's CPU per request

    run_loop: Callable[[Coroutine], Tally] = uvloop.run
    EVENT_LOOP = f"uvloop {uvloop.__version__}"
except ImportError:
    run_loop = asyncio.run
    EVENT_LOOP = "asyncio (uvloop is not installed: pip install -e '.[bench]')"

CONNECTIONS = (1, 2, 4, 8, 16, 32, 64)
started_at = time.monotonic()


def say(message: str) -> None:
    """Progress on stderr, with the minutes and seconds since the start."""
    elapsed = int(time.monotonic() - started_at)
    print(f"[{elapsed // 60:02d}:{elapsed % 60:02d}] {message}", file=sys.stderr, flush=True)


def own_cpu_seconds() -> float:
    """User + system CPU of this process (the generator) so far."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def measure(server: ServingProcess | None, phase: Coroutine) -> dict:
    """Run one phase; its summary with the server's and the generator's CPU over it."""
    server_before = server.cpu_seconds() if server else 0.0
    own_before = own_cpu_seconds()
    tally = run_loop(phase)
    server_cpu = (server.cpu_seconds() - server_before) if server else 0.0
    own_cpu = own_cpu_seconds() - own_before
    out = tally.summary()
    seconds, served = max(out["seconds"], 1e-9), max(out["requests"], 1)
    out.update(
        server_cpu_s=round(server_cpu, 2),
        server_cpu_cores=round(server_cpu / seconds, 2),
        server_cpu_ms_per_request=round(1000 * server_cpu / served, 2),
        generator_cpu_cores=round(own_cpu / seconds, 2),
        generator_cpu_us_per_request=round(1e6 * own_cpu / served, 1),
    )
    return out


def line(out: dict, label: str) -> str:
    """One phase's figures on one line."""
    return (
        f"{label}: {out['requests_per_s']:.1f} req/s, p50 {out['p50_ms']:.1f} ms, p99 {out['p99_ms']:.1f} ms, "
        f"{out['failed']} failed, server {out['server_cpu_ms_per_request']:.2f} ms CPU/req "
        f"({out['server_cpu_cores']:.2f} cores), generator {out['generator_cpu_cores']:.2f} cores"
    )


@dataclass
class Phases:
    """What every phase against the one gunicorn needs: the server, the requests, where results go."""

    server: ServingProcess
    matches: list[bytes]
    healthz: list[bytes]
    args: argparse.Namespace
    results: dict
    save: Callable[[], None]

    def client(self) -> Client:
        """A fresh client of the server (each phase its own connections)."""
        return Client("127.0.0.1", self.server.port)

    def closed_loop_sweep(self) -> None:
        """Matches at each connection count, with GET /healthz at 4 just before the matches at 4."""
        self.results["closed_loop"] = []
        for connections in self.args.connections:
            if connections == 4:
                out = measure(self.server, closed_loop(self.client(), self.healthz, 4, self.args.duration))
                self.results["healthz"] = {"connections": 4, **out}
                say(line(out, "GET /healthz at 4 connections"))
            out = measure(self.server, closed_loop(self.client(), self.matches, connections, self.args.duration))
            self.results["closed_loop"].append({"connections": connections, **out})
            say(line(out, f"matches, closed loop, {connections} connections"))
            self.save()

    def open_loop_step(self, rate: float) -> bool:
        """One open-loop step at `rate` req/s (after the server is idle again); whether it held."""
        self.server.settle()
        arrivals = poisson_arrivals(rate, self.args.duration, random.Random(int(rate)))
        # A second's worth of requests outstanding means the step is lost: stop sending, spare the wait.
        phase = open_loop(self.client(), self.matches, arrivals, give_up=lambda in_flight: in_flight > rate + 100)
        out = {"offered_per_s": rate, **measure(self.server, phase)}
        out["passed"] = out["failed"] == 0 and out["p99_ms"] <= P99_MAX_MS
        self.results["open_loop"]["steps"].append(out)
        say(line(out, f"matches, open loop, {rate:.0f} req/s offered") + (" PASS" if out["passed"] else " FAIL"))
        self.save()
        return out["passed"]

    def open_loop_search(self) -> float:
        """The sustainable rate, from a quarter of the best closed-loop rate up."""
        best_closed = max(o["requests_per_s"] for o in self.results["closed_loop"])
        self.results["open_loop"] = {"limit_p99_ms": P99_MAX_MS, "steps": []}
        rate = sustainable_rate(self.open_loop_step, start=max(10.0, 0.25 * best_closed))
        self.results["open_loop"]["sustainable_per_s"] = rate
        say(f"sustainable open-loop rate at p99 <= {P99_MAX_MS:.0f} ms: {rate:.0f} req/s")
        return rate or best_closed

    def cpu_phase(self, rate: float) -> None:
        """A fixed-rate open loop: the server's CPU per match served."""
        self.server.settle()
        arrivals = poisson_arrivals(rate, self.args.cpu_duration, random.Random(7))
        out = measure(self.server, open_loop(self.client(), self.matches, arrivals))
        self.results["cpu_phase"] = {"offered_per_s": rate, **out}
        say(line(out, f"fixed rate {rate:.0f} req/s for {self.args.cpu_duration:.0f} s"))
        self.save()


def run(args: argparse.Namespace, results: dict, save: Callable[[], None]) -> None:
    """Every phase against one gunicorn, then the generator's ceiling; `results` grows and is saved as it goes."""
    database, held = prepare_directory(args.specialists, say)
    results["directory"] = {"path": str(database.relative_to(ROOT)), **held}
    log = BENCH_DIR / f"load-{args.specialists}-gunicorn.log"
    with (
        tempfile.TemporaryDirectory(prefix="secondlook-load-") as scratch,
        ServingProcess(database, args.workers, Path(scratch), log) as server,
    ):
        spawned = time.monotonic()
        host = f"127.0.0.1:{server.port}"
        matches, with_plan = request_payloads(database, args.bodies, host)  # while the workers build their index
        results["bodies"] = {"count": len(matches), "naming_a_plan": with_plan}
        say(f"gunicorn: {args.workers} workers on {host}, waiting for both to build the index (log: {log})")
        server.wait_ready(timeout_s=1800)
        results["ready_s"] = round(time.monotonic() - spawned, 1)
        phases = Phases(server, matches, [http_request("GET", "/healthz", host)], args, results, save)
        say("warm-up: 5 s of matches at 4 connections, not measured")
        measure(server, closed_loop(phases.client(), matches, 4, 5))
        phases.closed_loop_sweep()
        rate = phases.open_loop_search()
        phases.cpu_phase(args.cpu_rate or max(10.0, round(0.5 * rate)))
    results["generator"] = generator_ceiling()
    save()


def generator_ceiling() -> dict:
    """The generator against a trivial server in its own process: how fast it can go, and its CPU per request."""
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "bench.load_trivial", str(port)], cwd=ROOT)
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                time.sleep(0.1)
        payload = [http_request("GET", "/healthz", f"127.0.0.1:{port}")]
        out: dict = {"event_loop": EVENT_LOOP}
        for connections in (4, 64):
            phase = closed_loop(Client("127.0.0.1", port), payload, connections, 5)
            out[f"closed_{connections}"] = measure(None, phase)
            say(line(out[f"closed_{connections}"], f"generator ceiling, trivial server, {connections} connections"))
        # Open loop at half what the trivial server answered: the generator must send on time, far above 500/s.
        rate = float(round(0.5 * out["closed_64"]["requests_per_s"]))
        out["open"] = {
            "offered_per_s": rate,
            **measure(None, open_loop(Client("127.0.0.1", port), payload, poisson_arrivals(rate, 5, random.Random(1)))),
        }
        out["per_core_per_s"] = round(1e6 / out["closed_64"]["generator_cpu_us_per_request"])
        say(
            line(out["open"], f"generator ceiling, trivial server, open loop at {rate:.0f} req/s")
            + f", dispatch lag p99 {out['open']['dispatch_lag_p99_ms']} ms"
        )
        return out
    finally:
        server.terminate()
        server.wait(timeout=10)


def main(argv: list[str] | None = None) -> int:
    """Run (or re-read) the load test, print the summary, optionally write the docs; 0 when every check passes."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--specialists", type=int, default=100_000, help="100000, or 1000000 (seeds ~10 min)")
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per closed-loop point and open-loop step")
    parser.add_argument("--connections", type=int, nargs="+", default=list(CONNECTIONS))
    parser.add_argument("--cpu-rate", type=float, default=None, help="req/s of the CPU phase (half the sustainable)")
    parser.add_argument("--cpu-duration", type=float, default=20.0)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (WEB_CONCURRENCY)")
    parser.add_argument("--bodies", type=int, default=400)
    parser.add_argument("--write-docs", action="store_true", help="plots in docs/img/ and the docs/performance.md part")
    parser.add_argument("--report-only", action="store_true", help="summarise var/bench/load-N.json again, no run")
    args = parser.parse_args(argv)
    from bench import load_report
    from bench.seed_bench import machine

    path = BENCH_DIR / f"load-{args.specialists}.json"
    if args.report_only:
        results = json.loads(path.read_text())
    else:
        argv_text = " ".join(argv if argv is not None else sys.argv[1:])
        results = {
            "benchmark": "load",
            "specialists": args.specialists,
            "workers": args.workers,
            "duration_s": args.duration,
            "event_loop": EVENT_LOOP,
            "command": f".venv/bin/python -m bench.load {argv_text}".strip(),
            "machine": {**machine(), "load_average_before": [round(v, 2) for v in os.getloadavg()]},
        }

        def save() -> None:
            results["machine"]["load_average_after"] = [round(v, 2) for v in os.getloadavg()]
            path.write_text(json.dumps(results, indent=1))

        BENCH_DIR.mkdir(parents=True, exist_ok=True)
        run(args, results, save)
        results["wall_s"] = round(time.monotonic() - started_at, 1)
        save()
    checks = load_report.checks(results)
    print(load_report.summary(results, checks))
    if args.write_docs and "generator" not in results:
        say(f"{path.relative_to(ROOT)} holds an interrupted run: the docs are left as they are")
    elif args.write_docs:
        for written in load_report.write_docs(results, checks, ROOT):
            say(f"wrote {written.relative_to(ROOT)}")
    return 0 if all(check["passed"] for check in checks) else 1


if __name__ == "__main__":
    signal.signal(signal.SIGINT, signal.default_int_handler)
    os.chdir(ROOT)
    try:
        sys.exit(main())
    except KeyboardInterrupt:  # gunicorn and the trivial server are stopped by then; a re-run starts again
        say("interrupted: the phases measured so far are in var/bench/load-N.json")
        sys.exit(130)
