"""A unit of work owns the transaction of one request; side effects run only after it commits.

The one way a writing request ends:

    with unit_of_work() as uow:          # in the view (or @transactional)
        result = services.verb(uow, identity, data)   # services add, flush, raise; never commit
    return present(result)

- success: the transaction commits, then the after-commit hooks run (index sync, notification
  dispatch); a failing hook is logged and the outbox row written in the transaction retries it;
- any exception (a `DomainError`, a database error, a bug): the transaction rolls back, the
  rollback hooks run (delete a file stored for it, cancel a PaymentIntent created for it), and
  the exception goes on to the one translator in `api/errors.py`.

An outside call that must happen *before* the commit (Stripe with an idempotency key) registers
its compensation with `on_rollback`; one that may happen after it goes through `after_commit` or
an outbox row. Read-only requests need no unit of work.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from api.db import READ_ONLY, db
from api.models import OutboxEvent

log = logging.getLogger(__name__)
F = TypeVar("F", bound=Callable[..., Any])


class UnitOfWork:
    """Collects outbox rows, after-commit and rollback hooks for one transaction."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._after_commit: list[Callable[[], None]] = []
        self._on_rollback: list[Callable[[], None]] = []

    def index_specialist(self, specialist_id: int) -> None:
        """Record, in this transaction, that a specialist's index documents must be rebuilt."""
        self.session.add(OutboxEvent(topic="specialist", entity_id=specialist_id))

    def after_commit(self, hook: Callable[[], None]) -> None:
        """Run `hook` once the transaction has committed (never if it rolls back)."""
        self._after_commit.append(hook)

    def on_rollback(self, hook: Callable[[], None]) -> None:
        """Run `hook` if this transaction rolls back (undo a stored file, compensate a Stripe call)."""
        self._on_rollback.append(hook)

    def commit(self) -> None:
        """Commit, then run the after-commit hooks; a failing hook is logged, the commit stands.

        A commit the database refuses (a unique index, a stale version) rolls back and runs the
        rollback hooks before the error goes on.
        """
        try:
            self.session.commit()
        except BaseException:
            self.rollback()
            raise
        self._on_rollback.clear()
        hooks, self._after_commit = self._after_commit, []
        for hook in hooks:
            try:
                hook()
            except Exception:  # the outbox row is still pending and will be retried
                log.exception("after-commit hook failed")

    def rollback(self) -> None:
        """Roll back, then run the rollback hooks (newest first); a failing hook is logged."""
        self.session.rollback()
        self._after_commit.clear()
        hooks, self._on_rollback = self._on_rollback, []
        for hook in reversed(hooks):
            try:
                hook()
            except Exception:
                log.exception("rollback hook failed")


@contextmanager
def unit_of_work(session: Session | None = None) -> Iterator[UnitOfWork]:
    """The transaction of one request (or one CLI step): commit on success, roll back on anything else.

    On SQLite its session begins with BEGIN IMMEDIATE (the write lock, taken up front); a view
    marked `reads_only` has a read-only session and cannot open one.
    """
    session = session if session is not None else db.session
    if session.info.get(READ_ONLY):
        raise RuntimeError("a view marked reads_only cannot open a unit of work")
    uow = UnitOfWork(session)
    try:
        yield uow
    except BaseException:
        uow.rollback()
        raise
    uow.commit()


def transactional(view: F) -> F:
    """Run a view inside `unit_of_work()` and pass it as the keyword argument `uow`."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with unit_of_work() as uow:
            return view(*args, uow=uow, **kwargs)

    return wrapper  # type: ignore[return-value]
