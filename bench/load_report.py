"""The load test's latency percentiles as a PNG (docs/img/load_latency.png)."""
from __future__ import annotations

from pathlib import Path

PERCENTILES = (("p50", 50), ("p75", 75), ("p90", 90), ("p99", 99), ("p99_9", 99.9))


def plot_latency(summary: dict, path: Path) -> Path:
    """Bar chart of p50..p99.9 latency, titled with throughput and the setup that produced it."""
    import matplotlib

    matplotlib.use("Agg")  # no display on a server
    import matplotlib.pyplot as plt

    labels = [f"p{p:g}" for _, p in PERCENTILES]
    values = [summary["latency_ms"][key] for key, _ in PERCENTILES]
    fig, ax = plt.subplots(figsize=(6.4, 3.6), dpi=120)
    bars = ax.bar(labels, values, color="#3b6ea5")
    ax.bar_label(bars, labels=[f"{v:.0f} ms" for v in values], fontsize=8)
    ax.set_ylabel("latency (ms)")
    ax.set_title(f"POST /v1/matches, {summary['specialists']:,} specialists: {summary['requests_per_s']:.0f} req/s, "
                 f"{summary['failed']} failed\n{summary['connections']} connections, gunicorn "
                 f"{summary['gunicorn_workers']} sync workers, {summary['machine']['nproc']} vCPUs shared with wrk",
                 fontsize=9)
    ax.grid(axis="y", alpha=0.3)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    plt.close(fig)
    return path
