"""The load test's directory (`make run`'s, with coverage rules) and the match requests drawn from it."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from bench.load_client import http_request

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / "var" / "bench"


def prepare_directory(size: int, say: Callable[[str], None]) -> tuple[Path, dict]:
    """var/bench/load-N.db with N specialists and `make run`'s coverage rules; what it holds."""
    from bench.match_bench import ensure_directory

    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    target = BENCH_DIR / f"load-{size}.db"
    if not target.exists():
        say(f"directory: copying var/bench/seed-{size}.db (seeding it first if missing)")
        seed = ensure_directory(size)
        partial = target.with_name(target.name + ".partial")
        partial.unlink(missing_ok=True)
        source, copy = sqlite3.connect(seed), sqlite3.connect(partial)
        source.backup(copy)  # consistent even if the seed file has a WAL beside it
        source.close()
        copy.close()
        partial.rename(target)
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{target}"}
    secondlook = str(Path(sys.executable).parent / "secondlook")
    for command in ("db-upgrade", "coverage-rules"):
        if command == "coverage-rules" and not _plans_without_rules(target):
            continue  # the command would add nothing, and starting the app to say so takes a minute at 100k
        say(f"directory: secondlook {command}")
        subprocess.run([secondlook, command], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
    with sqlite3.connect(target) as db:
        count = {
            table: db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            for table in ("specialist", "plan", "plan_benefit", "prior_auth_rule")
        }
    return target, count


def _plans_without_rules(database: Path) -> int:
    with sqlite3.connect(database) as db:
        return db.execute("SELECT count(*) FROM plan WHERE id NOT IN (SELECT plan_id FROM plan_benefit)").fetchone()[0]


def request_payloads(database: Path, count: int, host: str) -> tuple[list[bytes], int]:
    """POST /v1/matches requests from the directory; how many name a plan."""
    from api.db import make_engine
    from bench.load_bodies import make_bodies, write_bodies

    engine = make_engine(f"sqlite:///{database}")
    bodies = make_bodies(engine, count)
    engine.dispose()
    path = write_bodies(bodies, database.with_suffix(".bodies.jsonl"))
    lines = path.read_bytes().splitlines()
    return [http_request("POST", "/v1/matches", host, line) for line in lines], sum("plan_id" in b for b in bodies)
