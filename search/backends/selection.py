"""Who a case's conditions select in one segment, kept for the next case with the same conditions.

The broad codes that make the slow tail (Z00, R00, R69 ...) are held by hundreds of thousands of
specialists and come up again and again; what they select does not depend on where the patient
is, their plan or their exclusions. So the flags of qualifying specialists, the exact expertise
of code holders and who holds a case code or parent are worked out once per condition set and segment, and
later cases copy them in. Entries are read-only; the cache is bounded in bytes.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np

CACHE_BYTES = 48 * 2**20  # per segment, all kinds: a few dozen broad condition sets at 1M specialists


@dataclass(frozen=True)
class Selection:
    """Per specialist row: flags (1 treating specialty, 2 case code or group, 0 after the age filter)
    and, for code holders, their exact expertise; plus who holds a case code or parent (or None)."""

    flags: np.ndarray  # uint8
    experts: np.ndarray  # specialist rows holding a case code or group
    expertise: np.ndarray  # their expertise, aligned with `experts`
    expert: np.ndarray | None  # bool by specialist row: holds a case code or parent (expertise-first)

    def arrays(self) -> list[np.ndarray]:
        """Every array the entry holds."""
        held = (self.flags, self.experts, self.expertise, self.expert)
        return [a for a in held if a is not None]


class SelectionCache:
    """Least recently used selections of one segment, at most `max_bytes` in all; thread-safe."""

    def __init__(self, max_bytes: int = CACHE_BYTES) -> None:
        self.max_bytes = max_bytes
        self._entries: OrderedDict[tuple, tuple[object, int]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key: tuple):
        """What is stored under `key` (a Selection or arrays), now the most recently used, or None."""
        with self._lock:
            found = self._entries.get(key)
            if found is None:
                return None
            self._entries.move_to_end(key)
            return found[0]

    def put(self, key: tuple, selection: Selection | np.ndarray | tuple[np.ndarray, ...]) -> None:
        """Keep a selection (or arrays of one), dropping the least recently used ones beyond the budget."""
        if isinstance(selection, Selection):
            arrays = selection.arrays()
        else:
            arrays = [selection] if isinstance(selection, np.ndarray) else list(selection)
        size = sum(a.nbytes for a in arrays)
        for array in arrays:
            array.flags.writeable = False  # shared by every later case: nobody may change it
        with self._lock:
            if key in self._entries or size > self.max_bytes:
                return
            self._entries[key] = (selection, size)
            self._bytes += size
            while self._bytes > self.max_bytes:
                _, (_, dropped) = self._entries.popitem(last=False)
                self._bytes -= dropped

    def __len__(self) -> int:
        return len(self._entries)
