"""Leasing outbox rows: claim in one short transaction, deliver with none open, record in another.

An outbox (mail, case notifications) is drained by whoever commits a row and by a retry command,
possibly in several processes at once. A sender leases the rows it will deliver: one conditional
UPDATE sets `claimed_until` and counts the attempt, so of two senders racing for a row only one sees
it come back, and a sender that dies frees its rows when the lease ends. No transaction (on SQLite,
no write lock) is held while a mail server or a webhook answers.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Row, select, update
from sqlalchemy.orm import InstrumentedAttribute, Session


def lease(
    session: Session,
    model: Any,
    *,
    done: InstrumentedAttribute,
    now: datetime,
    duration: timedelta,
    max_attempts: int,
    columns: Sequence[InstrumentedAttribute],
    ids: list[int] | None = None,
    limit: int,
) -> list[Row]:
    """Lease undelivered rows of `model` (all, or those `ids`), oldest first; each leased row's id and `columns`.

    `model` has `id`, `attempts` and `claimed_until` columns; `done` is its delivered-at column.
    """
    free = (model.claimed_until.is_(None)) | (model.claimed_until < now)
    query = select(model.id).where(done.is_(None), model.attempts < max_attempts, free)
    if ids is not None:
        query = query.where(model.id.in_(ids))
    wanted = list(session.scalars(query.order_by(model.id).limit(limit)))
    if not wanted:
        return []
    leased = session.execute(
        update(model)
        .where(model.id.in_(wanted), done.is_(None), free)
        .values(claimed_until=now + duration, attempts=model.attempts + 1)
        .returning(model.id, *columns)
        .execution_options(synchronize_session=False)
    ).all()
    return sorted(leased, key=lambda row: row[0])
