"""Queries that keep running on a thread while a test disturbs the cluster, each answer checked."""
from __future__ import annotations

import itertools
import threading

from search.backends.embedded import EmbeddedBackend
from tests.search_es.cases import random_cases


def top(candidates) -> list[tuple]:
    """What must agree: who, where, the score and its parts, the distance and the coverage verdict."""
    return [(c.specialist_id, c.practice_location_id, c.score, tuple(sorted(c.score_breakdown.items())),
             c.distance_mi, c.coverage_status, tuple(c.reasons)) for c in candidates]


class QueryTraffic:
    """Matches 30 cases over and over on a thread; each answer must equal the embedded backend's.

    Use as a context manager around the disturbance; then `failures` holds every exception and
    `answers` one bool per answered query (True when it was the complete answer).
    """

    def __init__(self, backend, directory, seed: int) -> None:
        factory, docs = directory
        embedded = EmbeddedBackend(session_factory=factory)
        embedded.rebuild(factory, progress=lambda _line: None)
        results = ((case, embedded.match(case)) for case in random_cases(seed, docs, 60))
        self.expected = [(case, (top(result.candidates), result.total)) for case, result in results
                         if result.candidates][:30]
        self.backend, self.answers, self.failures = backend, [], []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run)

    def __enter__(self) -> "QueryTraffic":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(30)

    def _run(self) -> None:
        for case, expected in itertools.cycle(self.expected):
            if self._stop.is_set():
                return
            try:
                result = self.backend.match(case)
            except Exception as exc:  # noqa: BLE001 - any failure is what the tests look for
                self.failures.append(repr(exc))
                continue
            self.answers.append((top(result.candidates), result.total) == expected)
