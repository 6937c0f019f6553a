"""Transaction boundaries around outside calls (Stripe) on the scheduling and billing paths."""
from __future__ import annotations

from sqlalchemy.orm import Session


def begin_write(session: Session) -> None:
    """End the current transaction so that what follows runs in a fresh write transaction.

    No Stripe call happens inside an open transaction; this marks where one ends and the next
    begins. The write lock itself is the engine's job: every SQLite transaction begins IMMEDIATE
    (api/db.py), so a read followed by a write can never be refused half-way.
    """
    session.commit()
