"""The load test's plots: the closed-loop curve and open-loop latency against the offered rate."""

from __future__ import annotations

from pathlib import Path

P99_MAX_MS = 50.0  # issue 13: the latency a sustainable rate keeps at p99


def size_label(specialists: int) -> str:
    """100k, 1m: how the plots of one size are named."""
    return f"{specialists // 1_000_000}m" if specialists >= 1_000_000 else f"{specialists // 1000}k"


def plot(results: dict, img: Path) -> list[Path]:
    """docs/img/load_closed_loop_<size>.png and load_open_loop_<size>.png."""
    import matplotlib

    matplotlib.use("Agg")  # no display on a server
    import matplotlib.pyplot as plt
    from matplotlib import ticker

    label, n = size_label(results["specialists"]), f"{results['specialists']:,} specialists"
    img.mkdir(parents=True, exist_ok=True)
    closed = results["closed_loop"]
    x = [o["connections"] for o in closed]
    fig, (rate_ax, lat_ax) = plt.subplots(1, 2, figsize=(9.6, 3.8), dpi=110)
    rate_ax.plot(x, [o["requests_per_s"] for o in closed], "o-", color="#3b6ea5", label="POST /v1/matches")
    healthz = results.get("healthz")
    if healthz:
        rate_ax.annotate(
            f"GET /healthz at 4: {healthz['requests_per_s']:,.0f} req/s",
            xy=(0.03, 0.05),
            xycoords="axes fraction",
            fontsize=8,
        )
    rate_ax.set(xscale="log", xlabel="connections (closed loop)", ylabel="requests / s", ylim=(0, None))
    lat_ax.plot(x, [o["p50_ms"] for o in closed], "o-", label="p50")
    lat_ax.plot(x, [o["p99_ms"] for o in closed], "s-", label="p99")
    lat_ax.axhline(P99_MAX_MS, color="red", linestyle="--", linewidth=1, label="50 ms")
    lat_ax.set(xscale="log", yscale="log", xlabel="connections (closed loop)", ylabel="latency (ms)")
    _plain_milliseconds(lat_ax, ticker)
    for ax in (rate_ax, lat_ax):
        ax.set_xticks(x, [str(c) for c in x])
        ax.grid(alpha=0.3)
    lat_ax.legend(fontsize=8)
    fig.suptitle(f"POST /v1/matches, closed loop, {n}, gunicorn {results['workers']} workers", fontsize=10)
    fig.tight_layout()
    closed_path = img / f"load_closed_loop_{label}.png"
    fig.savefig(closed_path)
    plt.close(fig)

    steps = sorted(results["open_loop"]["steps"], key=lambda o: o["offered_per_s"])
    fig, ax = plt.subplots(figsize=(6.4, 3.8), dpi=110)
    offered = [o["offered_per_s"] for o in steps]
    ax.plot(offered, [o["p50_ms"] for o in steps], "o-", label="p50")
    ax.plot(offered, [o["p99_ms"] for o in steps], "s-", label="p99")
    failed = [o for o in steps if o["failed"]]
    if failed:
        ax.plot(
            [o["offered_per_s"] for o in failed],
            [o["p99_ms"] for o in failed],
            "x",
            color="black",
            markersize=9,
            label="a request failed",
        )
    ax.axhline(P99_MAX_MS, color="red", linestyle="--", linewidth=1, label="50 ms")
    rate = results["open_loop"].get("sustainable_per_s") or 0
    if rate:
        ax.axvline(rate, color="green", linestyle=":", label=f"sustainable: {rate:,.0f} req/s")
    ax.set(
        yscale="log",
        xlabel="offered rate (requests / s, Poisson arrivals)",
        ylabel="latency from the scheduled send (ms)",
    )
    _plain_milliseconds(ax, ticker)
    ax.set_title(f"POST /v1/matches, open loop, {n}", fontsize=10)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    open_path = img / f"load_open_loop_{label}.png"
    fig.savefig(open_path)
    plt.close(fig)
    return [closed_path, open_path]


def _plain_milliseconds(ax, ticker) -> None:
    """Latency ticks at 1, 2, 5, 10, 20, 50 ... written as plain numbers, not powers of ten, on a log axis."""
    ax.yaxis.set_major_locator(ticker.LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
    ax.yaxis.set_major_formatter(ticker.FormatStrFormatter("%g"))
    ax.yaxis.set_minor_formatter(ticker.NullFormatter())
