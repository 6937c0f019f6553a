"""Matching benchmark: the embedded engine against (a) naive SQL + Python and (b) PostGIS, same cases.

    nice .venv/bin/python -m bench.match_bench --sizes 10000 100000 1000000 --cases 1000 \\
        --postgres "$(scripts/postgres.sh ensure)"

For each directory size: seed var/bench/seed-N.db if missing (seed_data.synthetic, seed 42), draw
the same varied cases, then run each engine in its own process pinned to one CPU (so peak RSS and
build time are its own): build, warm up, time every match. Writes var/bench/match-results.json,
prints a Markdown table and draws docs/img/match_latency_vs_size.png.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / "var" / "bench"
ENGINES = ("embedded", "postgis", "naive", "opensearch")


def main(argv: list[str] | None = None) -> None:
    """Run the benchmark (or, with --worker, one engine at one size)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--cases", type=int, default=1000)
    parser.add_argument("--postgis-cases", type=int, nargs="+", default=None,
                        help="cases for PostGIS, per size (default: all of them)")
    parser.add_argument("--naive-cases", type=int, nargs="+", default=None,
                        help="cases for the naive baseline, per size (default: all of them)")
    parser.add_argument("--reuse-postgis", action="store_true", help="keep PostGIS tables loaded by an earlier run")
    parser.add_argument("--engines", nargs="+", default=list(ENGINES[:3]), choices=ENGINES)
    parser.add_argument("--opensearch", default="", help="OpenSearch node URL (bench/opensearch_bench.py starts one)")
    parser.add_argument("--postgres", default=os.environ.get("SECONDLOOK_BENCH_POSTGRES_URL", ""))
    parser.add_argument("--cpu", type=int, default=0, help="the one CPU every engine is pinned to")
    parser.add_argument("--without-state", action="store_true",
                        help="cases without the patient's state, as the cases were before 2026-11-28 (the API "
                             "always sets it): every telehealth specialist in the country qualifies")
    parser.add_argument("--json", type=Path, default=BENCH_DIR / "match-results.json")
    parser.add_argument("--plot", type=Path, default=ROOT / "docs" / "img" / "match_latency_vs_size.png")
    parser.add_argument("--worker", nargs=2, metavar=("ENGINE", "SIZE"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        from bench.match_worker import run_worker

        print(json.dumps(run_worker(args.worker[0], int(args.worker[1]), args)))
        return
    results = json.loads(args.json.read_text()) if args.json.exists() else {}
    for i, size in enumerate(args.sizes):
        ensure_directory(size)
        for engine in args.engines:
            if engine == "postgis" and not args.postgres:
                print("skipping PostGIS: give --postgres URL (scripts/postgres.sh ensure)", file=sys.stderr)
                continue
            if engine == "opensearch" and not args.opensearch:
                print("skipping OpenSearch: give --opensearch URL (make opensearch)", file=sys.stderr)
                continue
            caps = {"postgis": args.postgis_cases, "naive": args.naive_cases}.get(engine)
            cases = min(args.cases, caps[min(i, len(caps) - 1)]) if caps else args.cases
            results.setdefault(str(size), {})[engine] = _run(engine, size, cases, args)
        _agreement(results[str(size)])
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=1))
    from bench.match_report import plot, table

    print(table(results))
    plot(results, args.plot)


def ensure_directory(size: int) -> Path:
    """var/bench/seed-N.db with N synthetic specialists (seeded once; resumable)."""
    path = BENCH_DIR / f"seed-{size}.db"
    from sqlalchemy import text

    from api.db import make_engine

    engine = make_engine(f"sqlite:///{path}")
    with engine.connect() as conn:
        have = conn.execute(text("SELECT count(*) FROM sqlite_master WHERE name = 'specialist'")).scalar() and \
            conn.execute(text("SELECT count(*) FROM specialist")).scalar()
    if have != size:
        from api.migrate import upgrade
        from seed_data.synthetic import seed_directory

        upgrade(engine)
        print(seed_directory(engine, size, seed=42, out=sys.stderr).describe(), file=sys.stderr)
    engine.dispose()
    return path


def _run(engine: str, size: int, cases: int, args) -> dict:
    command = [sys.executable, "-m", "bench.match_bench", "--worker", engine, str(size), "--cases", str(cases),
               "--cpu", str(args.cpu), "--postgres", args.postgres, "--opensearch", args.opensearch] + (["--reuse-postgis"] if args.reuse_postgis else []) + (["--without-state"] if args.without_state else [])
    print(f"== {engine} at {size:,} specialists, {cases} cases", file=sys.stderr, flush=True)
    started = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, stdout=subprocess.PIPE, text=True, check=True)
    result = json.loads(done.stdout.strip().splitlines()[-1])
    print(f"   {engine}: p50 {result['p50_ms']:.2f} ms, p95 {result['p95_ms']:.2f} ms, p99 {result['p99_ms']:.2f} ms "
          f"({time.perf_counter() - started:.0f} s in all)", file=sys.stderr, flush=True)
    return result


def _agreement(by_engine: dict) -> None:
    """How often a baseline returned exactly the engine's specialists, in the engine's order."""
    reference = by_engine.get("embedded")
    if not reference:
        return
    for name, result in by_engine.items():
        if name == "embedded":
            continue
        pairs = list(zip(reference["answers"], result["answers"]))
        same = sum(1 for a, b in pairs if a == b)
        ranked = sum(1 for a, b in pairs if a[0] == b[0])  # the same specialists in the same order
        result["agreement"] = {"cases": len(pairs), "same_answer": same, "same_ranking": ranked}


if __name__ == "__main__":
    main()
