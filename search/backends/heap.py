"""The C heap around a full index build: big temporaries go back to the OS, not into glibc's free lists.

glibc serves a freed large block's size from its heap from then on (the mmap threshold rises to
match), and keeps freed heap memory for reuse: after building a 1M-specialist index the process
held ~250 MB more than the index itself. Both are glibc behaviour; elsewhere these are no-ops.
"""

from __future__ import annotations

import ctypes
import ctypes.util

M_MMAP_THRESHOLD = -3  # mallopt parameter (malloc.h)
MMAP_THRESHOLD = 1 << 20  # blocks this large (column chunks, sort orders) are mapped, and unmapped when freed


def _libc():
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name) if name else None
    except OSError:
        return None
    return libc if libc is not None and hasattr(libc, "malloc_trim") else None


def map_large_blocks() -> None:
    """Fix the mmap threshold, so every large temporary of the build is returned when freed."""
    libc = _libc()
    if libc is not None:
        libc.mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD)


def give_back() -> None:
    """Return the heap's free memory to the OS."""
    libc = _libc()
    if libc is not None:
        libc.malloc_trim(0)
