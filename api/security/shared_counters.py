"""Rate-limit counters in a memory-mapped file, shared by every process that maps it (gunicorn's workers).

A `limits` storage (scheme "shared-file"), so a fixed window counts a client's requests in total,
not per worker, without Redis, without SQL and without a thread: a window that has ended is
simply overwritten by the next hit.

- `shared-file:///srv/secondlook/var/ratelimit.counters`: every process mapping that file shares it;
- `shared-file://` (no path): an anonymous mapping, private to this process (tests).

The file is an open-addressing table of fixed slots (key hash, window end, count). A hit looks
at up to PROBES slots from the key's hash; when all of them hold live windows of other keys, the
one ending first is taken over (under an attack from more than SLOTS addresses at once a client
may get a fresh window early: the limit then errs on the side of serving).
"""

from __future__ import annotations

import fcntl
import hashlib
import mmap
import os
import struct
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from limits.storage import Storage, storage_from_string

SLOT = struct.Struct("<Qdq")  # key hash (0: empty), window end (epoch s), count
SLOTS = 1 << 16  # 1.5 MB
PROBES = 16
SCHEME = "shared-file"


class SharedFileStorage(Storage):
    """Fixed-window counters in a shared memory map, guarded by a file lock across processes."""

    STORAGE_SCHEME = [SCHEME]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options: float | str | bool) -> None:
        super().__init__(uri, wrap_exceptions, **options)
        path = (uri or "").removeprefix(f"{SCHEME}://")
        size = SLOT.size * SLOTS
        self._fd: int | None = None
        if path:
            os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
            self._fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
            if os.fstat(self._fd).st_size < size:
                os.ftruncate(self._fd, size)  # zero-filled: every slot empty
            self._map = mmap.mmap(self._fd, size)
        else:
            self._map = mmap.mmap(-1, size)
        self._threads = threading.Lock()  # flock excludes other processes, not this one's threads

    @property
    def base_exceptions(self) -> type[Exception]:
        """What a failing map or lock raises."""
        return OSError

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        """Count `amount` hits in the key's window (a new window of `expiry` seconds if none is live)."""
        wanted, now = _hash(key), time.time()
        with self._locked():
            index, (found, ends, count) = self._find(wanted, now)
            if found != wanted or ends <= now:
                ends, count = now + expiry, 0
            count += amount
            SLOT.pack_into(self._map, index * SLOT.size, wanted, ends, count)
            return count

    def get(self, key: str) -> int:
        """Hits counted in the key's live window (0 without one)."""
        live = self._live(key)
        return live[1] if live else 0

    def get_expiry(self, key: str) -> float:
        """When the key's window ends (now, without one)."""
        live = self._live(key)
        return live[0] if live else time.time()

    def check(self) -> bool:
        """The map is in this process: always reachable."""
        return True

    def reset(self) -> int | None:
        """Forget every counter."""
        with self._locked():
            self._map[:] = bytes(len(self._map))
        return None

    def clear(self, key: str) -> None:
        """Forget one key's counter."""
        wanted = _hash(key)
        with self._locked():
            index, (found, _, _) = self._find(wanted, time.time())
            if found == wanted:
                SLOT.pack_into(self._map, index * SLOT.size, 0, 0.0, 0)

    def _live(self, key: str) -> tuple[float, int] | None:
        wanted, now = _hash(key), time.time()
        with self._locked():
            _, (found, ends, count) = self._find(wanted, now)
        return (ends, count) if found == wanted and ends > now else None

    def _find(self, wanted: int, now: float) -> tuple[int, tuple[int, float, int]]:
        """The key's slot, else the first free or ended one, else the one whose window ends first."""
        start, best = wanted % SLOTS, None
        for step in range(PROBES):
            index = (start + step) % SLOTS
            slot = SLOT.unpack_from(self._map, index * SLOT.size)
            if slot[0] == wanted:
                return index, slot
            if best is not None and _free(best[1], now):
                continue  # the first free slot is taken, unless the key turns up further on
            if best is None or _free(slot, now) or slot[1] < best[1][1]:
                best = (index, slot)
        assert best is not None, "PROBES > 0"
        return best

    @contextmanager
    def _locked(self) -> Iterator[None]:
        with self._threads:
            if self._fd is None:
                yield
                return
            fcntl.flock(self._fd, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(self._fd, fcntl.LOCK_UN)


def storage_for(uri: str) -> Storage:
    """The `limits` storage a URI names: shared-file:// here, anything else (memory://, redis://) from `limits`."""
    if uri.startswith(f"{SCHEME}://"):
        return SharedFileStorage(uri)
    storage = storage_from_string(uri)
    assert isinstance(storage, Storage), "a synchronous storage"
    return storage


def _free(slot: tuple[int, float, int], now: float) -> bool:
    return slot[0] == 0 or slot[1] <= now


def _hash(key: str) -> int:
    """A non-zero 64-bit hash of the key (0 marks an empty slot)."""
    return int.from_bytes(hashlib.blake2b(key.encode(), digest_size=8).digest(), "little") or 1
