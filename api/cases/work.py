"""The unit of work of case changes: audit and notifications commit with the change, files are undone with it."""
from __future__ import annotations

import logging
from typing import Callable

from sqlalchemy.orm import Session

from api.cases import notifications
from api.models import NotificationOutbox
from api.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)


class CaseWork(UnitOfWork):
    """A UnitOfWork that also announces notifications after commit and undoes stored files on rollback."""

    def __init__(self, session: Session) -> None:
        super().__init__(session)
        self._on_rollback: list[Callable[[], None]] = []
        self._announced: list[NotificationOutbox] = []

    def notify(self, topic: str, entity_id: int, status: str, business_status: str | None = None) -> None:
        """Put a notification in the outbox of this transaction; it is sent right after the commit."""
        if not self._announced:
            # Only this transaction's rows: a backlog (a webhook that was down) is the
            # deliver-notifications command's job, never a user request's.
            self.after_commit(lambda: notifications.dispatch([row.id for row in self._announced]))
        self._announced.append(notifications.enqueue(self.session, topic, entity_id, status, business_status))

    def on_rollback(self, hook: Callable[[], None]) -> None:
        """Run `hook` if this transaction rolls back (e.g. delete a file stored for it)."""
        self._on_rollback.append(hook)

    def commit(self) -> None:
        """Commit and run the after-commit hooks; only then are the rollback hooks dropped."""
        super().commit()  # a failing commit raises first, and `rollback` still undoes the files
        self._on_rollback.clear()

    def rollback(self) -> None:
        """Roll back, then run the rollback hooks."""
        self.session.rollback()
        for hook in self._on_rollback:
            try:
                hook()
            except Exception:  # a leftover file is harmless; the row that named it is gone
                log.exception("rollback hook failed")
        self._on_rollback.clear()
