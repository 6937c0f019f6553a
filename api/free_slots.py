"""Which slots are free: the one rule that scheduling and the search index share.

A slot is taken by a confirmed booking or by a hold that has not run out (the partial unique index
on bookings keeps it to one). Search reads "next available" from here; scheduling books against it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import ColumnElement, and_, exists, func, or_, select
from sqlalchemy.orm import Session

from api.models import Booking, BookingStatus, Slot


def occupied(now: datetime) -> ColumnElement[bool]:
    """SQL condition: the slot has a confirmed booking or a hold that has not run out."""
    return exists().where(
        Booking.slot_id == Slot.id,
        or_(
            Booking.status == BookingStatus.CONFIRMED,
            and_(Booking.status == BookingStatus.HELD, Booking.expires_at > now),
        ),
    )


def next_available(session: Session, practice_location_ids: Iterable[int], now: datetime) -> dict[int, datetime]:
    """The earliest free future slot of each practice location that has one."""
    ids = list(practice_location_ids)
    if not ids:
        return {}
    query = (
        select(Slot.practice_location_id, func.min(Slot.starts_at))
        .where(Slot.practice_location_id.in_(ids), Slot.starts_at > now, ~occupied(now))
        .group_by(Slot.practice_location_id)
    )
    return {pl_id: starts for pl_id, starts in session.execute(query)}


def next_available_by_practice(session: Session, now: datetime) -> dict[int, datetime]:
    """Every practice location's earliest free future slot, for a full index build."""
    query = (
        select(Slot.practice_location_id, func.min(Slot.starts_at))
        .where(Slot.starts_at > now, ~occupied(now))
        .group_by(Slot.practice_location_id)
    )
    return {pl_id: starts for pl_id, starts in session.execute(query)}
