"""A trivial HTTP server on loopback: the generator's own ceiling is measured against it, and its tests use it.

    python -m bench.load_trivial PORT      # serve until killed, closing each connection like gunicorn's sync workers

Every answer is a small JSON document; `answer(n)` may choose the status and a delay per request, and
`serial` makes requests wait for one another (a server with one worker).
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable

BODY = b'{"status":"ok","checks":{}}'


class TrivialServer:
    """Counts connections and requests; answers each request with `answer(n)` = (status, delay in seconds)."""

    def __init__(
        self,
        answer: Callable[[int], tuple[int, float]] = lambda n: (200, 0.0),
        keep_alive: bool = False,
        serial: bool = False,
    ) -> None:
        self.answer, self.keep_alive = answer, keep_alive
        self.lock = asyncio.Lock() if serial else None
        self.connections = 0
        self.requests = 0
        self.server: asyncio.Server | None = None

    async def start(self, port: int = 0) -> int:
        """Listen on 127.0.0.1 (a free port when 0); the port."""
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", port, backlog=4096)
        return self.server.sockets[0].getsockname()[1]

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = next(
                    (
                        int(line.split(b":", 1)[1])
                        for line in head.split(b"\r\n")
                        if line.lower().startswith(b"content-length:")
                    ),
                    0,
                )
                await reader.readexactly(length)
                self.requests += 1
                status, delay = self.answer(self.requests)
                if self.lock is not None:
                    async with self.lock:
                        await asyncio.sleep(delay)
                elif delay:
                    await asyncio.sleep(delay)
                connection = b"keep-alive" if self.keep_alive else b"close"
                writer.write(
                    b"HTTP/1.1 %d X\r\nContent-Type: application/json\r\nContent-Length: %d\r\n"
                    b"Connection: %s\r\n\r\n%s" % (status, len(BODY), connection, BODY)
                )
                await writer.drain()
                if not self.keep_alive:
                    break
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    async def stop(self) -> None:
        """Stop listening."""
        if self.server is not None:
            self.server.close()
            await self.server.wait_closed()


async def _serve_forever(port: int) -> None:
    await TrivialServer().start(port)
    await asyncio.Event().wait()


if __name__ == "__main__":
    try:
        import uvloop

        uvloop.run(_serve_forever(int(sys.argv[1])))
    except ImportError:
        asyncio.run(_serve_forever(int(sys.argv[1])))
