"""The load generator's own logic, against a trivial server on loopback: what it counts, not how fast it is."""

from __future__ import annotations

import asyncio
import random

from bench.load_client import (
    Client,
    Tally,
    closed_loop,
    http_request,
    now,
    open_loop,
    percentile,
    poisson_arrivals,
    sustainable_rate,
)
from bench.load_report import checks
from bench.load_server import free_port
from bench.load_trivial import TrivialServer


def _against(server: TrivialServer, phase):
    """Start `server`, run `phase(client, payloads)`, stop the server; the tally."""

    async def go():
        port = await server.start()
        try:
            payloads = [http_request("POST", "/v1/matches", f"127.0.0.1:{port}", b'{"zip":"10001"}')]
            return await phase(Client("127.0.0.1", port), payloads)
        finally:
            await server.stop()

    return asyncio.run(go())


def test_latency_runs_from_the_scheduled_time_not_from_the_send():
    # One request at a time; the first answer takes 0.2 s. Requests scheduled at 0.02 s intervals wait behind
    # it in the generator, and each one's latency must include that wait (a send-time clock would hide it).
    server = TrivialServer(answer=lambda n: (200, 0.2 if n == 1 else 0.0))
    arrivals = [0.0, 0.02, 0.04, 0.06]
    tally = _against(server, lambda client, p: open_loop(client, p, arrivals, max_in_flight=1))
    assert tally.ok == 4 and server.requests == 4
    for latency, scheduled in zip(tally.latencies_s, arrivals, strict=True):
        assert latency >= 0.2 - scheduled


def test_queueing_at_the_server_is_charged_to_each_request():
    server = TrivialServer(answer=lambda n: (200, 0.05), serial=True)
    tally = _against(server, lambda client, p: open_loop(client, p, [0.0] * 4))
    assert tally.max_in_flight == 4
    for place, latency in enumerate(sorted(tally.latencies_s)):
        assert latency >= (place + 1) * 0.05


def test_failures_are_counted_by_status():
    server = TrivialServer(answer=lambda n: (503 if n % 3 == 0 else 200, 0.0))
    tally = _against(server, lambda client, p: open_loop(client, p, [0.0] * 30))
    assert (tally.ok, tally.failed, dict(tally.failures)) == (20, 10, {"503": 10})
    assert tally.first_failure.startswith("503 ")
    assert tally.summary()["failed"] == 10 and tally.summary()["requests"] == 30


def _one_after_another(count):
    async def phase(client, payloads):
        tally = Tally()
        for _ in range(count):
            await client.send(payloads[0], tally, now())
        return tally

    return phase


def test_a_closed_connection_is_reopened_and_a_kept_one_reused():
    closing = TrivialServer(keep_alive=False)
    assert _against(closing, _one_after_another(5)).ok == 5
    assert (closing.requests, closing.connections) == (5, 5)

    keeping = TrivialServer(keep_alive=True)
    assert _against(keeping, _one_after_another(5)).ok == 5
    assert (keeping.requests, keeping.connections) == (5, 1)


def test_the_closed_loop_keeps_one_request_per_connection_in_flight():
    server = TrivialServer(keep_alive=True)
    tally = _against(server, lambda client, p: closed_loop(client, p, connections=3, duration_s=0.1))
    assert tally.failed == 0 and tally.ok == server.requests >= 3
    assert server.connections == 3 and tally.max_in_flight == 3


def test_a_slow_answer_is_a_timeout_and_a_refused_connection_a_connect_failure():
    server = TrivialServer(answer=lambda n: (200, 1.0))

    async def slow(client, payloads):
        client.timeout_s = 0.1
        return await open_loop(client, payloads, [0.0, 0.0])

    assert dict(_against(server, slow).failures) == {"timeout": 2}

    async def refused():
        port = free_port()
        payload = [http_request("GET", "/healthz", f"127.0.0.1:{port}")]
        return await open_loop(Client("127.0.0.1", port), payload, [0.0])

    assert dict(asyncio.run(refused()).failures) == {"connect": 1}


def test_an_abandoned_step_counts_what_it_did_not_send():
    server = TrivialServer(answer=lambda n: (200, 0.05), serial=True)
    tally = _against(server, lambda client, p: open_loop(client, p, [0.0] * 50, give_up=lambda n: n >= 5))
    assert server.requests == 5 and tally.ok == 5
    assert tally.failures["not sent"] == 45


def test_percentile_is_a_measured_value_by_nearest_rank():
    values = [float(v) for v in range(100, 0, -1)]
    assert (percentile(values, 50), percentile(values, 99), percentile(values, 100)) == (50.0, 99.0, 100.0)
    assert percentile([7.0], 99) == 7.0
    assert percentile([1.0, 2.0, 3.0, 1000.0], 99) == 1000.0
    assert percentile([1.0, 2.0, 3.0, 1000.0], 50) == 2.0


def test_poisson_arrivals_keep_the_rate_and_stay_inside_the_step():
    arrivals = poisson_arrivals(500, 20, random.Random(3))
    assert arrivals == sorted(arrivals) and arrivals[0] > 0 and arrivals[-1] < 20
    assert abs(len(arrivals) - 10_000) < 5 * 100  # Poisson: standard deviation sqrt(10,000)
    gaps = [b - a for a, b in zip(arrivals, arrivals[1:], strict=False)]
    assert 0.9 < percentile(gaps, 50) / (0.6931 / 500) < 1.1  # the exponential's median is ln 2 / rate
    assert poisson_arrivals(500, 20, random.Random(3)) == arrivals


def test_the_rate_search_steps_up_then_bisects_below_the_first_failure():
    probed = []

    def passes(rate):
        probed.append(rate)
        return rate <= 337

    found = sustainable_rate(passes, start=100, growth=1.25, refinements=2)
    first_failure = next(i for i, rate in enumerate(probed) if rate > 337)
    assert probed[: first_failure + 1] == [100, 125, 156, 195, 244, 305, 381]
    assert all(305 < rate < 381 for rate in probed[first_failure + 1 :]) and len(probed) == first_failure + 3
    assert 305 < found <= 337 and passes(found)


def test_the_rate_search_says_zero_when_nothing_passes():
    probed: list[float] = []

    def fails(rate):
        probed.append(rate)
        return False

    assert sustainable_rate(fails, start=40, refinements=2) == 0
    assert probed == [40, 20, 10]


def _phase(rate, p99, failed=0, cpu=2.0):
    return {
        "requests_per_s": rate,
        "p99_ms": p99,
        "failed": failed,
        "requests": 1000,
        "server_cpu_ms_per_request": cpu,
        "offered_per_s": rate,
    }


def test_the_acceptance_checks_follow_the_issue_points():
    results = {
        "closed_loop": [{"connections": 4, **_phase(300.0, 40.0)}],
        "healthz": _phase(1000.0, 5.0),
        "open_loop": {"sustainable_per_s": 520.0},
        "cpu_phase": _phase(260.0, 20.0),
    }
    assert [c["passed"] for c in checks(results)] == [True, True, True, True]
    results["closed_loop"][0]["p99_ms"] = 51.0  # the ratio holds, the latency does not
    results["open_loop"]["sustainable_per_s"] = 499.0
    results["cpu_phase"] = _phase(260.0, 20.0, failed=1, cpu=2.6)
    assert [c["passed"] for c in checks(results)] == [False, False, False, False]
    assert checks(results)[0]["measured"].startswith("0.300 ")


def _raw_answers(*answers: bytes) -> dict:
    """Failures by kind after one request per answer, each from a server that writes it and closes."""

    async def go():
        pending = list(answers)

        async def serve(reader, writer):
            await reader.readuntil(b"\r\n\r\n")
            writer.write(pending.pop(0))
            await writer.drain()
            writer.close()

        server = await asyncio.start_server(serve, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        payload = [http_request("GET", "/healthz", f"127.0.0.1:{port}")]
        tally = await open_loop(Client("127.0.0.1", port), payload, [0.0] * len(answers), max_in_flight=1)
        server.close()
        await server.wait_closed()
        return {"ok": tally.ok, **tally.failures}

    return asyncio.run(go())


def test_an_answer_without_length_ends_with_the_connection_and_a_chunked_one_fails():
    assert _raw_answers(b"HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nno length here") == {"ok": 1}
    chunked = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"
    assert _raw_answers(chunked) == {"ok": 0, "read": 1}
    assert _raw_answers(b"HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\ncut short") == {"ok": 0, "read": 1}
