"""The load test's HTTP generator: asyncio over raw HTTP/1.1 connections, closed loop and open loop.

Closed loop (what wrk does): N connections, each sends its next request when the previous answer has
arrived; latency runs from the send. Throughput is what the server gives N patient users.

Open loop: requests arrive as a Poisson process at a target rate, whatever the server does. Each
request's latency runs from its SCHEDULED send time, not from when it was sent, so a server (or a
generator) that stalls is charged for every request that queued behind the stall: no coordinated
omission. As many requests may be in flight as the server lets queue (`max_in_flight`, default 4,000).

No HTTP library: a `asyncio.Protocol` per connection writes pre-built request bytes and reads
`Content-Length`-framed answers, reusing the connection when the server keeps it alive (gunicorn's sync
workers close it after each answer, so most requests open a connection, as browsers' would).
"""

from __future__ import annotations

import asyncio
import math
import random
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

TIMEOUT_S = 10.0  # a request without its whole answer after this long is a failure ("timeout")
# Latencies come from the monotonic clock itself: uvloop's `loop.time()` counts whole milliseconds.
now = time.monotonic


def http_request(method: str, path: str, host: str, body: bytes = b"") -> bytes:
    """The bytes of one HTTP/1.1 request (JSON body when there is one)."""
    head = f"{method} {path} HTTP/1.1\r\nHost: {host}\r\nAccept: application/json\r\n"
    if body:
        head += f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
    return head.encode("ascii") + b"\r\n" + body


def percentile(values: Sequence[float], q: float) -> float:
    """The nearest-rank q-th percentile (0 < q <= 100) of `values`: a value that was measured, never interpolated."""
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[max(1, math.ceil(q / 100 * len(ordered))) - 1]


def poisson_arrivals(rate_per_s: float, duration_s: float, rng: random.Random) -> list[float]:
    """Send offsets (seconds from the start) of a Poisson process at `rate_per_s`, up to `duration_s`."""
    arrivals, t = [], rng.expovariate(rate_per_s)
    while t < duration_s:
        arrivals.append(t)
        t += rng.expovariate(rate_per_s)
    return arrivals


@dataclass
class Tally:
    """What a phase measured: latencies of the answered requests, failures by kind, the first one's text."""

    latencies_s: list[float] = field(default_factory=list)
    ok: int = 0
    failures: Counter = field(default_factory=Counter)
    first_failure: str = ""
    started: float = 0.0
    finished: float = 0.0
    max_in_flight: int = 0
    dispatch_lag_s: list[float] = field(default_factory=list)  # open loop: how late the generator sent each

    def record(self, latency_s: float, status: int, snippet: bytes = b"") -> None:
        """One answer: a 200 is a success, anything else a failure of kind "<status>"."""
        self.latencies_s.append(latency_s)
        if status == 200:
            self.ok += 1
        else:
            self.fail(str(status), snippet.decode("utf-8", "replace"))

    def fail(self, kind: str, detail: str = "") -> None:
        """A request that did not get a 200."""
        self.failures[kind] += 1
        if not self.first_failure:
            self.first_failure = f"{kind} {detail}"[:300]

    @property
    def failed(self) -> int:
        """Requests that got no answer or a non-200 one."""
        return sum(self.failures.values())

    @property
    def requests(self) -> int:
        """Requests that finished, well or badly."""
        return self.ok + self.failed

    def summary(self) -> dict:
        """Counts, rate and latency percentiles in ms."""
        seconds = max(self.finished - self.started, 1e-9)
        ms = [1000 * v for v in self.latencies_s]
        lag = [1000 * v for v in self.dispatch_lag_s]
        return {
            "requests": self.requests,
            "ok": self.ok,
            "failed": self.failed,
            "failures": dict(self.failures),
            "first_failure": self.first_failure or None,
            "seconds": round(seconds, 3),
            "requests_per_s": round(self.requests / seconds, 1),
            "p50_ms": round(percentile(ms, 50), 2),
            "p90_ms": round(percentile(ms, 90), 2),
            "p99_ms": round(percentile(ms, 99), 2),
            "max_ms": round(max(ms, default=math.nan), 2),
            "max_in_flight": self.max_in_flight,
            "dispatch_lag_p99_ms": round(percentile(lag, 99), 2) if lag else None,
        }


class _Connection(asyncio.Protocol):
    """One TCP connection carrying one request at a time; an answer is framed by its Content-Length, or
    by the server closing the connection when it has none (chunked answers count as failures)."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.buffer = bytearray()
        self.answer: asyncio.Future | None = None
        self.closed = False
        self._head_end = -1
        self._status = 0
        self._length: int | None = 0
        self._keep_alive = True

    def connection_made(self, transport) -> None:
        self.transport = transport

    def send(self, payload: bytes, loop: asyncio.AbstractEventLoop) -> asyncio.Future:
        """Write a request; the future gets (status, keep_alive, first bytes of the body)."""
        self.buffer.clear()
        self._head_end = -1
        self.answer = loop.create_future()
        assert self.transport is not None
        self.transport.write(payload)
        return self.answer

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        if self._head_end < 0 and not self._read_head():
            return
        if self._length is not None and len(self.buffer) >= self._head_end + self._length:
            self._answered()

    def _answered(self) -> None:
        if self.answer and not self.answer.done():
            body = bytes(self.buffer[self._head_end : self._head_end + 300])
            self.answer.set_result((self._status, self._keep_alive, body))

    def _read_head(self) -> bool:
        """Parse the status line and the headers that frame the answer, once they have all arrived."""
        end = self.buffer.find(b"\r\n\r\n")
        if end < 0:
            return False
        lines = bytes(self.buffer[:end]).decode("latin-1").split("\r\n")
        version, status = lines[0].split(" ", 2)[:2]
        self._status, self._length, self._keep_alive = int(status), None, version == "HTTP/1.1"
        for line in lines[1:]:
            name, _, value = line.partition(":")
            name = name.strip().lower()
            if name == "content-length":
                self._length = int(value)
            elif name == "connection":
                self._keep_alive = value.strip().lower() == "keep-alive"
            elif name == "transfer-encoding" and self.answer and not self.answer.done():
                self.answer.set_exception(ConnectionAbortedError("a chunked answer: the app sends Content-Length"))
        if self._length is None:
            self._keep_alive = False  # the answer ends when the server closes the connection
        self._head_end = end + 4
        return True

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        if self._head_end >= 0 and self._length is None and exc is None:
            self._answered()
        if self.answer and not self.answer.done():
            self.answer.set_exception(ConnectionResetError("connection closed before the whole answer"))


class Client:
    """Requests to one host and port, over kept-alive connections when the server allows it."""

    def __init__(self, host: str, port: int, timeout_s: float = TIMEOUT_S) -> None:
        self.host, self.port, self.timeout_s = host, port, timeout_s
        self.idle: list[_Connection] = []
        self.connections_opened = 0

    async def send(self, payload: bytes, tally: Tally, since: float) -> None:
        """Send one request and record its outcome in `tally`, with latency counted from `since` (`now()`)."""
        loop = asyncio.get_running_loop()
        connection: _Connection | None = None
        try:
            async with asyncio.timeout(self.timeout_s):
                connection = self._idle() or await self._open(loop)
                status, keep_alive, body = await connection.send(payload, loop)
        except TimeoutError:  # before OSError, of which it is a kind
            tally.fail("timeout")
            self._drop(connection)
            return
        except OSError as exc:
            tally.fail("connect" if connection is None else "read", type(exc).__name__)
            self._drop(connection)
            return
        tally.record(now() - since, status, body)
        if keep_alive and not connection.closed:
            self.idle.append(connection)
        else:
            self._drop(connection)

    def _idle(self) -> _Connection | None:
        """A kept-alive connection the server has not closed meanwhile, if there is one."""
        while self.idle:
            connection = self.idle.pop()
            if not connection.closed:
                return connection
        return None

    async def _open(self, loop: asyncio.AbstractEventLoop) -> _Connection:
        self.connections_opened += 1
        _, connection = await loop.create_connection(_Connection, self.host, self.port)
        return connection

    def _drop(self, connection: _Connection | None) -> None:
        if connection is not None and connection.transport is not None:
            connection.transport.close()

    def close(self) -> None:
        """Close the idle connections."""
        while self.idle:
            self._drop(self.idle.pop())


async def closed_loop(client: Client, payloads: Sequence[bytes], connections: int, duration_s: float) -> Tally:
    """`connections` users, each sending its next request as soon as its previous answer arrives."""
    tally = Tally(started=now(), max_in_flight=connections)
    end = tally.started + duration_s

    async def user(offset: int) -> None:
        sent = offset
        while now() < end:
            await client.send(payloads[sent % len(payloads)], tally, now())
            sent += 1

    # Each user starts at its own place in the list (97 apart), so concurrent requests differ.
    await asyncio.gather(*(user(97 * i) for i in range(connections)))
    tally.finished = now()
    client.close()
    return tally


async def open_loop(
    client: Client,
    payloads: Sequence[bytes],
    arrivals: Sequence[float],
    max_in_flight: int = 4000,
    give_up: Callable[[int], bool] | None = None,
) -> Tally:
    """Send payloads at the given offsets (seconds); each latency runs from its scheduled time.

    A request that cannot start because `max_in_flight` are outstanding waits, and that wait counts in its
    latency. `give_up(in_flight)` may stop sending early (the step is lost anyway); what was not sent is
    a failure of kind "not sent".
    """
    loop = asyncio.get_running_loop()
    slots = asyncio.Semaphore(max_in_flight)
    tally = Tally(started=now() + 0.01)
    in_flight: set[asyncio.Task] = set()

    async def one(payload: bytes, scheduled: float) -> None:
        async with slots:
            await client.send(payload, tally, scheduled)

    for index, offset in enumerate(arrivals):
        scheduled = tally.started + offset
        while (delay := scheduled - now()) > 0:  # never early: a timer may fire up to a millisecond ahead
            await asyncio.sleep(delay)
        tally.dispatch_lag_s.append(max(0.0, now() - scheduled))
        if give_up is not None and give_up(len(in_flight)):
            tally.fail("not sent", "the step was abandoned: too many requests outstanding")
            tally.failures["not sent"] += len(arrivals) - index - 1
            break
        task = loop.create_task(one(payloads[index % len(payloads)], scheduled))
        in_flight.add(task)
        task.add_done_callback(in_flight.discard)
        tally.max_in_flight = max(tally.max_in_flight, len(in_flight))
    if in_flight:
        await asyncio.wait(in_flight)
    tally.finished = max(now(), tally.started + (arrivals[-1] if arrivals else 0.0))
    client.close()
    return tally


def sustainable_rate(
    passes: Callable[[float], bool], start: float, growth: float = 1.25, refinements: int = 2, ceiling: float = 20_000
) -> float:
    """The highest offered rate (req/s) at which `passes(rate)` held: step up by `growth` from `start`
    until a step fails, then bisect between the last pass and the first failure `refinements` times.
    0 when no rate passed. Rates are whole requests per second.
    """
    passed, failed = 0.0, None
    rate = float(round(start))
    while rate <= ceiling:
        if not passes(rate):
            failed = rate
            break
        passed = rate
        rate = float(max(round(rate * growth), rate + 1))
    for _ in range(refinements):
        if failed is None or failed - passed < 2:
            break
        middle = float(round((passed + failed) / 2))
        if passes(middle):
            passed = middle
        else:
            failed = middle
    return passed
