"""A unit of work owns the transaction; side effects run only after it commits."""
from __future__ import annotations

import logging
from typing import Callable

from sqlalchemy.orm import Session

from api.models import OutboxEvent

log = logging.getLogger(__name__)


class UnitOfWork:
    """Collects outbox rows and after-commit hooks for one transaction."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._after_commit: list[Callable[[], None]] = []

    def index_specialist(self, specialist_id: int) -> None:
        """Record, in this transaction, that a specialist's index documents must be rebuilt."""
        self.session.add(OutboxEvent(topic="specialist", entity_id=specialist_id))

    def after_commit(self, hook: Callable[[], None]) -> None:
        """Run `hook` once the transaction has committed (never if it rolls back)."""
        self._after_commit.append(hook)

    def commit(self) -> None:
        """Commit, then run the hooks; a failing hook is logged, the commit stands."""
        self.session.commit()
        for hook in self._after_commit:
            try:
                hook()
            except Exception:  # the outbox row is still pending and will be retried
                log.exception("after-commit hook failed")
        self._after_commit.clear()
