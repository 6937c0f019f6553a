"""The OpenSearch backend next to the embedded engine, PostGIS and naive SQL: same cases, same run.

    nice .venv/bin/python -m bench.opensearch_bench --sizes 100000 --cases 1000 --naive-cases 300 \\
        --postgres "$(scripts/postgres.sh ensure)"

Starts one OpenSearch node from searchnode/ (OPENSEARCH_HEAP, default 1g here) unless one already
answers on --port, runs `bench.match_bench` with all four engines, adds each OpenSearch index's
size to var/bench/opensearch-results.json, prints the table and draws
docs/img/opensearch_match_latency.png. The node is stopped again if this script started it.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import urllib.request

from bench.match_bench import BENCH_DIR, ROOT
from bench.match_bench import main as match_bench
from bench.match_opensearch import index_size_mb

RESULTS = BENCH_DIR / "opensearch-results.json"
PLOT = ROOT / "docs" / "img" / "opensearch_match_latency.png"


def main(argv: list[str] | None = None) -> None:
    """Run the four engines at each size, then record the OpenSearch index sizes."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000])
    parser.add_argument("--cases", type=int, default=1000)
    parser.add_argument("--naive-cases", type=int, nargs="+", default=[300])
    parser.add_argument("--postgres", default=os.environ.get("SECONDLOOK_BENCH_POSTGRES_URL", ""))
    parser.add_argument("--port", type=int, default=9200)
    args = parser.parse_args(argv)
    url = f"http://127.0.0.1:{args.port}"
    started_here = not _answers(url)
    if started_here:
        env = {**os.environ, "OPENSEARCH_PORT": str(args.port), "OPENSEARCH_HEAP": os.environ.get("OPENSEARCH_HEAP", "1g")}
        subprocess.run([str(ROOT / "searchnode" / "node.sh"), "start"], check=True, env=env)
    try:
        match_bench(["--sizes", *map(str, args.sizes), "--cases", str(args.cases),
                     "--naive-cases", *map(str, args.naive_cases), "--postgres", args.postgres,
                     "--engines", "embedded", "opensearch", "postgis", "naive", "--opensearch", url,
                     "--json", str(RESULTS), "--plot", str(PLOT)])
        results = json.loads(RESULTS.read_text())
        for size in args.sizes:
            results[str(size)]["opensearch"]["index_mb"] = index_size_mb(url, size)
            print(f"OpenSearch index at {size:,} specialists: {results[str(size)]['opensearch']['index_mb']} MB")
        RESULTS.write_text(json.dumps(results, indent=1))
    finally:
        if started_here:
            subprocess.run([str(ROOT / "searchnode" / "node.sh"), "stop"], check=False)


def _answers(url: str) -> bool:
    try:
        urllib.request.urlopen(url, timeout=2)
    except OSError:
        return False
    return True


if __name__ == "__main__":
    main()
