"""The shared-file rate-limit storage: counts shared through the file, windows that end, no thread per hit."""
from __future__ import annotations

import threading

from limits import parse
from limits.strategies import FixedWindowRateLimiter

from api.security import shared_counters
from api.security.shared_counters import SharedFileStorage, storage_for


def test_two_mappings_of_one_file_count_together(tmp_path):
    uri = f"shared-file://{tmp_path / 'counters'}"
    first, second = FixedWindowRateLimiter(storage_for(uri)), FixedWindowRateLimiter(storage_for(uri))
    limit = parse("3/minute")
    assert [first.hit(limit, "k"), second.hit(limit, "k"), first.hit(limit, "k")] == [True, True, True]
    assert not second.hit(limit, "k") and not first.hit(limit, "k")
    assert first.hit(limit, "other key")  # counted apart
    assert second.get_window_stats(limit, "k").remaining == 0


def test_a_window_ends_and_a_new_one_starts(monkeypatch):
    storage, now = SharedFileStorage(), [1_000_000.0]
    monkeypatch.setattr(shared_counters.time, "time", lambda: now[0])
    assert [storage.incr("k", 60) for _ in range(3)] == [1, 2, 3]
    assert storage.get("k") == 3 and storage.get_expiry("k") == 1_000_060.0
    now[0] += 60
    assert storage.get("k") == 0
    assert storage.incr("k", 60) == 1 and storage.get_expiry("k") == 1_000_120.0
    storage.clear("k")
    assert storage.get("k") == 0


def test_keys_sharing_a_probe_run_keep_their_own_counts(monkeypatch):
    monkeypatch.setattr(shared_counters, "_hash", lambda key: shared_counters.SLOTS * (1 + int(key)))  # one start slot
    storage = SharedFileStorage()
    for key in range(shared_counters.PROBES):
        assert storage.incr(str(key), 60, amount=key + 1) == key + 1
    assert [storage.get(str(key)) for key in range(shared_counters.PROBES)] == list(
        range(1, shared_counters.PROBES + 1))
    # The table's run is full of live windows: a new key takes over the one ending first.
    assert storage.incr("999", 60) == 1 and storage.get("0") == 0 and storage.get("1") == 2


def test_no_thread_is_started_by_hits():
    limiter, limit = FixedWindowRateLimiter(storage_for("shared-file://")), parse("1/second")
    before = threading.active_count()
    for i in range(50):
        limiter.hit(limit, str(i))
    assert threading.active_count() == before
