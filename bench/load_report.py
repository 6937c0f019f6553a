"""The load test's acceptance checks (issue 13), its summary and its part of docs/performance.md."""

from __future__ import annotations

import math
import re
from pathlib import Path

from bench.load_plots import P99_MAX_MS, plot, size_label

SECTION = "## Load test"
RATIO_MIN, RATE_MIN, CPU_MAX_MS = 0.2, 500.0, 2.5

INTRO = """\
What `make run` serves, loaded the way users load it. One command measures it, re-run after every change
that should move it; each size has its own part below, written by that command (`--write-docs`).

- **The directory**: `var/bench/load-N.db`, a copy of the matching benchmarks' synthetic directory
  (`var/bench/seed-N.db`, seed 42) given what `make run` gives its own: `secondlook db-upgrade` and
  `secondlook coverage-rules` (benefits and prior-authorisation rules for every plan). Clinic slots
  (`make run`'s `generate-slots`, millions of rows at 100k) are not generated: every `next_available`
  is empty, so the ranking's availability term has no date to read for any candidate.
- **The requests**: 400 POST /v1/matches bodies drawn from the directory (`bench/load_bodies.py`): a held
  ORPHA code, one or two held ICD-10-CM codes, a common code or a specialty only; a ZIP weighted by
  population; 25 to 200 miles; telehealth welcome in 40%; **every other body names a plan** (so its
  coverage rules are applied), the others pay themselves (60%) or say nothing of payment; languages,
  an excluded institution, every reason and urgency.
- **The server**: `gunicorn --config gunicorn.conf.py 'api.app:create_app()'` with 2 workers, as
  `make run` serves, on a free loopback port, with `RATE_LIMIT_*` raised out of reach (the limiter
  still runs); measuring starts once both workers have built their index and `/readyz` answers.
- **The generator** (`bench/load_client.py`): Python asyncio on uvloop, raw HTTP/1.1 with
  pre-built requests (a new connection per request, since gunicorn's sync workers close each one),
  in another process on the same machine. Its own ceiling, against a trivial server after gunicorn
  has stopped, is in each part below. Checked once against wrk 4.1 on the same server (2026-11-28,
  4 connections, 10 s each, alternating): the same req/s within the machine's noise for /healthz
  (1,579 and 787 against wrk's 906 and 1,302) and for a match (32 and 23 against 33 and 29), wrk
  spending about half the generator's CPU per request (60 against 115 us).
- **Closed loop**: 1 to 64 connections, each sending its next request when its answer arrives
  (latency from the send), 10 s each after one 5 s warm-up; **GET /healthz** (the bare route) at 4
  connections just before the matches at 4, on the same server: the ratio of the two is the cost
  of a match against the floor of the stack.
- **Open loop**: Poisson arrivals at an offered rate, each request's latency from its *scheduled* send
  time (a stall is charged to every request that queued behind it: no coordinated omission), with as
  many requests in flight as the server lets queue. Steps of 10 s, each once the server is idle again:
  the rate starts at a quarter of the best closed-loop rate (at least 10 req/s) and steps up by 25%
  until a step's p99 exceeds 50 ms or a request fails (a step with a second of requests outstanding
  stops sending), then is bisected twice: the highest passing rate is the **sustainable rate**. "Sent
  late" is how long after its scheduled time the generator sent a request (p99): on a busy machine
  the generator itself wakes late, and that delay is counted in the latency, so a starved generator
  can make a step fail, never pass.
- **CPU per match**: a 20 s open-loop phase at half the sustainable rate; CPU seconds of the gunicorn
  master and workers (`/proc/<pid>/stat`, user + system) divided by the requests served.

How to read it:

- **Ratios before absolutes.** The machine is shared; the "server cores" column says how much of the
  2 cores gunicorn got in each phase, and the machine line gives the load average. The ratio to
  `/healthz` and the CPU per match hold better than req/s across runs.
- **Closed-loop latency is queueing.** 2 sync workers answer 2 requests at a time; at N connections the
  other N - 2 wait in the listen queue, so mean latency is about N / throughput (Little's law) and
  throughput flattens once the workers are busy. The open loop says what rate users can arrive at
  while the answer stays under 50 ms.
- **The generator is not the limit** when its own cores (last column) stay small beside the
  server's, and its ceiling below is far above the rates measured.
"""


def _closed(results: dict, connections: int) -> dict | None:
    return next((o for o in results.get("closed_loop", []) if o["connections"] == connections), None)


def checks(results: dict) -> list[dict]:
    """Issue 13's acceptance points, each with what was measured and whether it holds."""
    out = []
    matches, healthz = _closed(results, 4), results.get("healthz")
    if matches and healthz:
        ratio = matches["requests_per_s"] / max(healthz["requests_per_s"], 1e-9)
        out.append(
            {
                "check": f"matches / healthz at 4 connections >= {RATIO_MIN}, p99 <= {P99_MAX_MS:.0f} ms, 0 failed",
                "measured": f"{ratio:.3f} ({matches['requests_per_s']:,.1f} / {healthz['requests_per_s']:,.1f} "
                f"req/s), p99 {matches['p99_ms']:.1f} ms, {matches['failed']} failed",
                "passed": ratio >= RATIO_MIN and matches["p99_ms"] <= P99_MAX_MS and matches["failed"] == 0,
            }
        )
    else:
        out.append({"check": "matches / healthz at 4 connections", "measured": "not measured", "passed": False})
    rate = results.get("open_loop", {}).get("sustainable_per_s")
    out.append(
        {
            "check": f"sustainable open-loop rate at p99 <= {P99_MAX_MS:.0f} ms >= {RATE_MIN:.0f} req/s",
            "measured": "not measured" if rate is None else f"{rate:,.0f} req/s",
            "passed": rate is not None and rate >= RATE_MIN,
        }
    )
    cpu = results.get("cpu_phase")
    out.append(
        {
            "check": f"server CPU per match <= {CPU_MAX_MS} ms",
            "measured": "not measured"
            if cpu is None
            else f"{cpu['server_cpu_ms_per_request']:.2f} ms (at {cpu['offered_per_s']:.0f} req/s)",
            "passed": cpu is not None and cpu["server_cpu_ms_per_request"] <= CPU_MAX_MS,
        }
    )
    phases = [*results.get("closed_loop", []), *[p for p in (healthz, cpu) if p]]
    failed = sum(p["failed"] for p in phases)
    out.append(
        {
            "check": "0 failures (closed loop, /healthz, fixed-rate phase)",
            "measured": f"{failed} failed of {sum(p['requests'] for p in phases):,}" if phases else "not measured",
            "passed": bool(phases) and failed == 0 and cpu is not None,
        }
    )
    return out


def _machine(results: dict) -> str:
    m = results["machine"]
    phases = [*results.get("closed_loop", []), *([results["healthz"]] if "healthz" in results else [])]
    got = f"; gunicorn got at most {max(p['server_cpu_cores'] for p in phases):.2f} cores" if phases else ""
    before, after = m.get("load_average_before", []), m.get("load_average_after", [])
    return (
        f"{m['nproc']} cores ({m['cpu']}), {m['ram_gb']} GB RAM, Python {m['python']}, {results['event_loop']}; "
        f"load average (1/5/15 min) {'/'.join(map(str, before))} before, {'/'.join(map(str, after))} after; "
        f"{m['date'][:16].replace('T', ' ')} UTC{got}"
    )


def summary(results: dict, found: list[dict]) -> str:
    """The run on a screen: phases, sustainable rate, generator ceiling, machine, PASS/FAIL per check."""
    lines = [f"Load test, {results['specialists']:,} specialists, gunicorn {results['workers']} workers"]
    if "bodies" in results:
        d = results["directory"]
        lines.append(
            f"  directory {d['path']}: coverage rules for {d['plan_benefit']} of {d['plan']} plans, "
            f"{d['prior_auth_rule']} prior-authorisation rules; {results['bodies']['naming_a_plan']} of "
            f"{results['bodies']['count']} bodies name a plan"
        )
    lines.append("  closed loop      conns   req/s   p50 ms   p99 ms  failed  CPU ms/req")
    rows = [("POST /v1/matches", o) for o in results.get("closed_loop", [])]
    if "healthz" in results:
        rows.insert(2 if len(rows) > 2 else len(rows), ("GET /healthz", results["healthz"]))
    for label, o in rows:
        lines.append(
            f"  {label:16} {o['connections']:5d} {o['requests_per_s']:7.1f} {o['p50_ms']:8.1f} "
            f"{o['p99_ms']:8.1f} {o['failed']:7d} {o['server_cpu_ms_per_request']:11.2f}"
        )
    steps = results.get("open_loop", {}).get("steps", [])
    if steps:
        lines.append("  open loop  offered   done/s   p50 ms   p99 ms  failed  CPU ms/req  sent late p99 ms")
        for o in steps:
            verdict = "PASS" if o["passed"] else "FAIL"
            lines.append(
                f"  {verdict:9} {o['offered_per_s']:8.0f} {o['requests_per_s']:8.1f} "
                f"{o['p50_ms']:8.1f} {o['p99_ms']:8.1f} {o['failed']:7d} "
                f"{o['server_cpu_ms_per_request']:11.2f} {o['dispatch_lag_p99_ms']:17.1f}"
            )
    for text in _generator_lines(results):
        lines.append(f"  {text}")
    lines.append(f"  machine: {_machine(results)}")
    lines.append(f"  command: {results['command']}")
    lines += [f"{'PASS' if c['passed'] else 'FAIL'}  {c['check']}: {c['measured']}" for c in found]
    return "\n".join(lines)


def _generator_lines(results: dict) -> list[str]:
    g = results.get("generator")
    if not g:
        return []
    c4, c64, o = g["closed_4"], g["closed_64"], g["open"]
    return [
        f"against a trivial server ({g['event_loop']}, `bench/load_trivial.py`) it drove "
        f"{c4['requests_per_s']:,.0f} req/s at 4 connections and {c64['requests_per_s']:,.0f} at 64, spending "
        f"{c64['generator_cpu_us_per_request']:.0f} us of its own CPU per request (a ceiling of about "
        f"{g['per_core_per_s']:,} req/s per core); open loop at {o['offered_per_s']:,.0f} req/s: p99 "
        f"{o['p99_ms']:.1f} ms, sent a p99 of {o['dispatch_lag_p99_ms']} ms after the scheduled time, "
        f"{o['failed']} failed"
    ]


def _table(header: list[str], rows: list[list[str]]) -> str:
    aligned = ["---" if i == 0 else "---:" for i in range(len(header))]
    return "\n".join("| " + " | ".join(r) + " |" for r in [header, aligned, *rows])


def part(results: dict, found: list[dict]) -> str:
    """This size's part of the section, in Markdown."""
    label, size = size_label(results["specialists"]), results["specialists"]
    d = results["directory"]
    out = [
        f"### {size:,} specialists",
        "",
        f"Directory `{d['path']}`: {d['specialist']:,} specialists, coverage rules for {d['plan_benefit']} of "
        f"{d['plan']} plans ({d['prior_auth_rule']:,} prior-authorisation rules); "
        f"{results['bodies']['naming_a_plan']} of {results['bodies']['count']} bodies name a plan. "
        f"Both workers were ready {results['ready_s']:.0f} s after gunicorn started; the whole run took "
        f"{results['wall_s']:.0f} s.",
        "",
        "```",
        results["command"],
        "```",
        "",
        f"Machine: {_machine(results)}.",
        "",
        _table(
            # Issue 13 sets these at 100k; a larger directory is held to them for comparison only.
            ["acceptance (issue 13)" if size <= 100_000 else "issue 13's 100k targets, for comparison", "measured", ""],
            [[c["check"], c["measured"], "**PASS**" if c["passed"] else "**FAIL**"] for c in found],
        ),
        "",
        f"![closed loop](img/load_closed_loop_{label}.png)",
        "",
    ]
    rows = [[f"POST /v1/matches, {o['connections']}", *_figures(o)] for o in results["closed_loop"]]
    rows.insert(2, [f"GET /healthz, {results['healthz']['connections']}", *_figures(results["healthz"])])
    header = [
        "closed loop, connections",
        "requests",
        "req/s",
        "p50 ms",
        "p99 ms",
        "failed",
        "server CPU ms/req",
        "server cores",
        "generator cores",
    ]
    out += [_table(header, rows), "", f"![open loop](img/load_open_loop_{label}.png)", ""]
    rows = [
        [f"{o['offered_per_s']:,.0f}{' **pass**' if o['passed'] else ''}", *_figures(o), f"{o['dispatch_lag_p99_ms']}"]
        for o in sorted(results["open_loop"]["steps"], key=lambda o: o["offered_per_s"])
    ]
    out += [_table(["open loop, offered req/s", *header[1:], "sent late, p99 ms"], rows), ""]
    cpu = results["cpu_phase"]
    out += [
        f"Sustainable open-loop rate (p99 <= {P99_MAX_MS:.0f} ms, no failure): "
        f"**{results['open_loop']['sustainable_per_s']:,.0f} req/s**. Fixed-rate phase: "
        f"{cpu['offered_per_s']:,.0f} req/s offered for {cpu['seconds']:.0f} s, {cpu['requests']:,} served, "
        f"{cpu['server_cpu_s']:.1f} s of server CPU: **{cpu['server_cpu_ms_per_request']:.2f} ms per match** "
        f"(p50 {cpu['p50_ms']:.1f} ms, p99 {cpu['p99_ms']:.1f} ms).",
        "",
    ]
    out += [f"The generator: {text}." for text in _generator_lines(results)]
    return "\n".join(out).rstrip() + "\n"


def _figures(o: dict) -> list[str]:
    fmt = lambda v: "n/a" if v is None or (isinstance(v, float) and math.isnan(v)) else f"{v:,.1f}"  # noqa: E731
    return [
        f"{o['requests']:,}",
        fmt(o["requests_per_s"]),
        fmt(o["p50_ms"]),
        fmt(o["p99_ms"]),
        str(o["failed"]),
        f"{o['server_cpu_ms_per_request']:.2f}",
        f"{o['server_cpu_cores']:.2f}",
        f"{o['generator_cpu_cores']:.2f}",
    ]


def write_docs(results: dict, found: list[dict], root: Path) -> list[Path]:
    """Plots, and docs/performance.md's "Load test" section: the intro and this size's part (others kept)."""
    written = plot(results, root / "docs" / "img")
    doc = root / "docs" / "performance.md"
    text = doc.read_text()
    start = text.find(f"\n{SECTION}\n")
    end = len(text) if start < 0 else (text.find("\n## ", start + 1) + 1 or len(text))
    old = "" if start < 0 else text[start + 1 : end]
    parts = {
        int(m.group(1).replace(",", "")): m.group(0)
        for m in re.finditer(r"^### ([\d,]+) specialists\n.*?(?=^### |\Z)", old, flags=re.S | re.M)
    }
    parts[results["specialists"]] = part(results, found)
    section = f"{SECTION}\n\n{INTRO}\n" + "\n".join(p.rstrip() + "\n" for _, p in sorted(parts.items()))
    head = text if start < 0 else text[: start + 1]
    doc.write_text(head.rstrip() + "\n\n" + section + ("\n" + text[end:] if end < len(text) else ""))
    return [*written, doc]
