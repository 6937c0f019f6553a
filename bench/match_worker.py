"""One engine at one directory size, in its own process: build, warm up, time every case."""
from __future__ import annotations

import dataclasses
import gc
import os
import resource
import time

import numpy as np
from sqlalchemy.orm import sessionmaker

from api.db import make_engine
from bench.match_cases import make_cases

WARM_UP = 20


def run_worker(engine_name: str, size: int, args) -> dict:
    """Measure one engine; returns latencies, build time, peak RSS and each case's answer."""
    os.sched_setaffinity(0, {args.cpu})  # one core
    from bench.match_bench import BENCH_DIR
    from reference import conditions

    conditions.warm()
    db = make_engine(f"sqlite:///{BENCH_DIR / f'seed-{size}.db'}")
    cases = make_cases(db, args.cases)
    if args.without_state:
        cases = [dataclasses.replace(case, patient_state=None) for case in cases]
    build_s, match = _prepare(engine_name, size, db, args)
    for case in cases[:WARM_UP]:
        match(case)
    wall, cpu, answers, totals = [], [], [], []
    for case in cases:
        started, started_cpu = time.perf_counter(), time.thread_time()
        ids, total = match(case)
        cpu.append((time.thread_time() - started_cpu) * 1000)
        wall.append((time.perf_counter() - started) * 1000)
        answers.append([int(i) for i in ids])
        totals.append(int(total))
    p = np.percentile(wall, [50, 95, 99])
    return {"engine": engine_name, "size": size, "cases": len(cases), "build_s": round(build_s, 2),
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
            "p50_ms": round(p[0], 3), "p95_ms": round(p[1], 3), "p99_ms": round(p[2], 3),
            "mean_ms": round(float(np.mean(wall)), 3),
            "cpu_p50_ms": round(float(np.percentile(cpu, 50)), 3), "cpu_p95_ms": round(float(np.percentile(cpu, 95)), 3),
            "cpu_p99_ms": round(float(np.percentile(cpu, 99)), 3), "mean_total": round(float(np.mean(totals)), 1),
            "answers": [[a, t] for a, t in zip(answers, totals)], "load_avg": os.getloadavg()[0]}


def _prepare(engine_name: str, size: int, db, args):
    if engine_name == "embedded":
        from search.backends.embedded import EmbeddedBackend

        backend = EmbeddedBackend(session_factory=sessionmaker(db))
        started = time.perf_counter()
        backend.rebuild(progress=lambda message: None)
        build_s = time.perf_counter() - started
        backend.poll_interval_s = float("inf")  # nothing writes during the run
        gc.collect()
        gc.freeze()  # as gunicorn.conf.py does for served workers: the index stays out of collections

        def match(case):
            result = backend.match(case)
            return [c.specialist_id for c in result.candidates], result.total
        return build_s, match
    if engine_name == "opensearch":
        from bench.match_opensearch import prepare

        return prepare(size, db, args.opensearch)
    if engine_name == "naive":
        from bench.match_naive import NaiveSql

        naive = NaiveSql(db)
        return 0.0, naive.match
    from bench.match_postgis import PostgisIndex

    index = PostgisIndex(args.postgres, f"match_{size}")
    build_s = 0.0
    if not (args.reuse_postgis and index.loaded_rows()):
        from search.backends.segment import Segment
        from search.backends.tables_sql import tables_from_database

        with sessionmaker(db)() as session:
            segment = Segment(tables_from_database(session))
        build_s = index.load(segment, say=lambda message: None)
        del segment
    return build_s, index.match
