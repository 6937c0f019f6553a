"""The interface every search backend implements, and what a match returns."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from sqlalchemy.orm import Session

from api.db import db
from api.errors import Unavailable
from search.case import MatchCase
from search.ranking import RankedCandidate

SessionFactory = Callable[[], Session]


def pick_session_factory(given: SessionFactory | None, configured: SessionFactory | None) -> SessionFactory:
    """The factory a call names, else the backend's own, else the current app's sessions."""
    if given is not None:
        return given
    if configured is not None:
        return configured

    return db.new_session


Progress = Callable[[str], None]


@dataclass
class MatchResult:
    """The ranked candidates, how many specialists qualified in all, and how long it took."""

    candidates: list[RankedCandidate]
    total: int
    took_ms: float
    warnings: list[str] = field(default_factory=list)


@dataclass
class SyncReport:
    """What one application of the outbox did."""

    applied: int = 0  # outbox rows consumed
    specialists: int = 0  # distinct specialists re-indexed
    failed: int = 0  # rows left pending after an error
    high_water: int = 0  # highest outbox id now reflected in the index

    def describe(self) -> str:
        """One line for logs and the CLI."""
        return (
            f"applied {self.applied} outbox rows ({self.specialists} specialists), "
            f"{self.failed} failed, high-water mark {self.high_water}"
        )


class SearchBackend(Protocol):
    """What the service needs from a search backend."""

    @property
    def name(self) -> str:
        """The backend's name, as SEARCH_BACKEND says it."""
        ...

    def ping(self) -> bool:
        """True when the backend can answer queries."""
        ...

    def match(self, case: MatchCase) -> MatchResult:
        """Candidates for a case, ranked by `search.ranking.rank`."""
        ...

    def rebuild(self, session_factory: SessionFactory, progress: Progress | None = None) -> int:
        """Rebuild the whole index from the database; returns the number of documents."""
        ...

    def apply_outbox(self, session_factory: SessionFactory | None = None) -> SyncReport:
        """Bring the index up to date with outbox rows written since it was last brought up to date."""
        ...

    def refresh(self) -> None:
        """Make every applied change visible to the next match."""
        ...


class SearchUnavailable(Unavailable):
    """The search backend cannot answer now (cluster down, index missing); the API answers 503.

    `reason` (the client error's type) is for the log; the client is told only to retry.
    """

    def __init__(self, reason: str) -> None:
        super().__init__("Search is unavailable right now; try again shortly.")
        self.reason = reason
