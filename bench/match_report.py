"""The matching benchmark's results as a Markdown table and a latency-versus-size plot."""
from __future__ import annotations

from pathlib import Path

LABELS = {"embedded": "embedded engine", "opensearch": "OpenSearch 2.19 backend (1 node)",
          "postgis": "PostgreSQL + PostGIS (GiST)", "naive": "naive SQL + Python"}
SERVER_SIDE = ("postgis", "opensearch")  # the work happens in another process: client CPU and memory say nothing


def table(results: dict) -> str:
    """One row per (size, engine): latency percentiles, build time, peak RSS, agreement."""
    lines = ["| specialists | engine | cases | p50 ms | p95 ms | p99 ms | CPU p95 ms | build s | peak RSS MB "
             "| same answer as embedded |",
             "|---:|---|---:|---:|---:|---:|---:|---:|---:|---|"]
    for size in sorted(results, key=int):
        for engine in LABELS:
            r = results[size].get(engine)
            if not r:
                continue
            agree = r.get("agreement")
            agreed = f"{agree['same_answer']}/{agree['cases']}" if agree else "(reference)"
            if agree and agree.get("same_ranking", agree["same_answer"]) != agree["same_answer"]:
                agreed += f" (same ranking {agree['same_ranking']}/{agree['cases']}, total differs)"
            build = f"{r['build_s']:.1f}" if r["build_s"] else "-"
            cpu = "n/a" if engine in SERVER_SIDE else f"{r['cpu_p95_ms']:.2f}"
            rss = "n/a" if engine in SERVER_SIDE else f"{r['peak_rss_mb']:.0f}"
            lines.append(f"| {int(size):,} | {LABELS[engine]} | {r['cases']} | {r['p50_ms']:.2f} | {r['p95_ms']:.2f} "
                         f"| {r['p99_ms']:.2f} | {cpu} | {build} | {rss} | {agreed} |")
    ratios = []
    for size in sorted(results, key=int):
        e, p = results[size].get("embedded"), results[size].get("postgis")
        if e and p:
            ratios.append(f"{int(size):,}: PostGIS p50/p95 = {p['p50_ms'] / e['p50_ms']:.1f}x / "
                          f"{p['p95_ms'] / e['p95_ms']:.1f}x the embedded engine's")
    return "\n".join(lines + [""] + ratios)


def plot(results: dict, path: Path) -> None:
    """p50/p95/p99 against directory size, one colour per engine, log-log."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7.5, 4.8))
    colours = {"embedded": "tab:green", "opensearch": "tab:purple", "postgis": "tab:blue", "naive": "tab:red"}
    styles = {"p50_ms": ("-", "o"), "p95_ms": ("--", "s"), "p99_ms": (":", "^")}
    for engine in LABELS:
        sizes = [int(s) for s in sorted(results, key=int) if engine in results[s]]
        for key, (line, marker) in styles.items():
            values = [results[str(s)][engine][key] for s in sizes]
            if values:
                ax.plot(sizes, values, line, marker=marker, color=colours[engine],
                        label=f"{LABELS[engine]} {key[:3]}")
    ax.axhline(20, color="grey", linewidth=0.8)
    ax.text(min(int(s) for s in results), 21, "20 ms target", color="grey", fontsize=8)
    ax.set(xscale="log", yscale="log", xlabel="specialists in the directory", ylabel="match latency (ms)",
           title="POST /v1/matches engine latency, one core, same cases")
    ax.legend(fontsize=7, ncol=3, loc="upper left")
    ax.grid(True, which="both", linewidth=0.3)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
