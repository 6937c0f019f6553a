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

from bench.match_bench import BENCH_DIR, ROOT, _agreement
from bench.match_bench import main as match_bench
from bench.match_opensearch import index_size_mb
from bench.match_report import LABELS, table

RESULTS = BENCH_DIR / "opensearch-results.json"
PLOT = ROOT / "docs" / "img" / "opensearch_match_latency.png"


def main(argv: list[str] | None = None) -> None:
    """Run the four engines at each size, then record the OpenSearch index sizes."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000])
    parser.add_argument("--cases", type=int, default=1000)
    parser.add_argument("--naive-cases", type=int, nargs="+", default=[300])
    parser.add_argument("--postgis-cases", type=int, nargs="+", default=None,
                        help="cases for PostGIS, per size (default: all of them)")
    parser.add_argument("--postgres", default=os.environ.get("SECONDLOOK_BENCH_POSTGRES_URL", ""))
    parser.add_argument("--port", type=int, default=9200)
    parser.add_argument("--report-only", action="store_true", help="redraw table and plot from the JSON")
    args = parser.parse_args(argv)
    if args.report_only:
        report(json.loads(RESULTS.read_text()))
        return
    url = f"http://127.0.0.1:{args.port}"
    started_here = not _answers(url)
    if started_here:
        env = {**os.environ, "OPENSEARCH_PORT": str(args.port),
               "OPENSEARCH_HEAP": os.environ.get("OPENSEARCH_HEAP", "1g")}
        subprocess.run([str(ROOT / "searchnode" / "node.sh"), "start"], check=True, env=env)
    try:
        match_bench(["--sizes", *map(str, args.sizes), "--cases", str(args.cases),
                     "--naive-cases", *map(str, args.naive_cases), "--postgres", args.postgres,
                     *(["--postgis-cases", *map(str, args.postgis_cases)] if args.postgis_cases else []),
                     "--engines", "embedded", "opensearch", "postgis", "naive", "--opensearch", url,
                     "--json", str(RESULTS), "--plot", str(BENCH_DIR / "opensearch-latency-vs-size.png")])
        results = json.loads(RESULTS.read_text())
        for size in args.sizes:
            results[str(size)]["opensearch"]["index_mb"] = index_size_mb(url, size)
        RESULTS.write_text(json.dumps(results, indent=1))
    finally:
        if started_here:
            subprocess.run([str(ROOT / "searchnode" / "node.sh"), "stop"], check=False)
    report(json.loads(RESULTS.read_text()))


def report(results: dict) -> None:
    """Print the table and index sizes, and draw the per-engine percentile bars (docs/img/)."""
    for by_engine in results.values():
        _agreement(by_engine)
    print(table(results))
    for size, by_engine in sorted(results.items(), key=lambda item: int(item[0])):
        print(f"OpenSearch index at {int(size):,} specialists: {by_engine['opensearch']['index_mb']} MB (primaries)")
    plot_bars(results, PLOT)


def plot_bars(results: dict, path) -> None:
    """p50/p95/p99 bars per engine at each size (log scale): the sizes are few, a line says little."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sizes = sorted(results, key=int)
    fig, axes = plt.subplots(1, len(sizes), figsize=(7.5 * len(sizes), 4.8), squeeze=False)
    for ax, size in zip(axes[0], sizes):
        engines = [engine for engine in LABELS if engine in results[size]]
        for offset, key in enumerate(("p50_ms", "p95_ms", "p99_ms")):
            values = [results[size][engine][key] for engine in engines]
            ax.bar([i + (offset - 1) * 0.27 for i in range(len(engines))], values, width=0.27, label=key[:3])
        ax.set_xticks(range(len(engines)), [LABELS[engine].replace(" (", "\n(") for engine in engines], fontsize=7)
        ax.set(yscale="log", ylabel="match latency (ms)",
               title=f"POST /v1/matches engine latency at {int(size):,} specialists, same cases")
        ax.legend(fontsize=8)
        ax.grid(True, axis="y", which="both", linewidth=0.3)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.tight_layout()
    fig.savefig(path, dpi=120)


def _answers(url: str) -> bool:
    try:
        urllib.request.urlopen(url, timeout=2)
    except OSError:
        return False
    return True


if __name__ == "__main__":
    main()
