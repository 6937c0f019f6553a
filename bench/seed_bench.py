"""Benchmark: seed N synthetic specialists into a fresh database; print one JSON line.

    .venv/bin/python bench/seed_bench.py [N] [--seed 42] [--batch-size 5000] [--database-url URL]

Without --database-url the database is var/bench/seed-<N>.db (SQLite): built as
seed-<N>.db.partial and renamed into place only when complete, then kept so other benchmarks can
reuse the directory. A PostgreSQL URL must name an empty database. Peak RSS is the process high-water mark (ru_maxrss), catalogues included.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from api.db import make_engine  # noqa: E402
from api.migrate import upgrade  # noqa: E402
from seed_data.synthetic import seed_directory  # noqa: E402


def machine() -> dict:
    """Where the figure was measured."""
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    mem_kb = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                  if line.startswith("MemTotal"))
    return {"nproc": os.cpu_count(), "cpu": cpu, "ram_gb": round(mem_kb / 2**20, 1),
            "python": platform.python_version(), "date": datetime.now(timezone.utc).isoformat(timespec="seconds")}


def fresh_sqlite(count: int) -> Path:
    """An emptied var/bench/seed-<N>.db.partial to build into."""
    path = ROOT / "var" / "bench" / f"seed-{count}.db.partial"
    path.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return path


def install(partial: Path) -> str:
    """Rename the finished file to seed-<N>.db, unless a process has that one open; returns where it is."""
    target = partial.with_suffix("")
    if any(Path(f"{target}{suffix}").exists() for suffix in ("-wal", "-shm")):
        # Swapping a SQLite file under an open connection would pair it with that connection's WAL.
        print(f"{target} is in use; the new directory stays at {partial}", file=sys.stderr)
        return str(partial)
    partial.rename(target)  # atomic: readers see the old file or the complete new one
    return str(target)


def main() -> None:
    """Parse arguments, seed, print the measurement."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("count", nargs="?", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--batch-size", type=int, default=5000)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    partial = None if args.database_url else fresh_sqlite(args.count)
    url = args.database_url or f"sqlite:///{partial}"
    engine = make_engine(url)
    upgrade(engine)
    started = time.monotonic()
    summary = seed_directory(engine, args.count, seed=args.seed, batch_size=args.batch_size, out=sys.stderr)
    wall = time.monotonic() - started
    engine.dispose()  # checkpoints the WAL into the file before it is renamed
    size = partial.stat().st_size if partial else None
    where = install(partial) if partial else engine.url.render_as_string(hide_password=True)
    print(json.dumps({
        "benchmark": "seed_directory", "specialists": args.count, "added": summary.specialists,
        "backend": engine.dialect.name, "database": where,
        "batch_size": args.batch_size, "wall_s": round(wall, 1), "rate_per_s": round(summary.specialists / wall),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "db_size_mb": round(size / 2**20) if size else None, "rows": {
            "practice_locations": summary.practice_locations, "own_locations": summary.locations,
            "network_participations": summary.participations, "condition_expertise": summary.conditions},
        "machine": machine()}))


if __name__ == "__main__":
    main()
