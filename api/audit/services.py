"""Writing audit events (in the caller's transaction) and reading them back for administrators."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timezone

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.auth.services import Identity
from api.models import AuditEvent

REASON_MAX = 500


def record(session: Session, identity: Identity, action: str, *, case_id: int | None,
           entity_type: str | None = None, entity_id: int | None = None, reason: str | None = None) -> None:
    """Add an audit event to the current transaction: it commits or rolls back with the change it records."""
    session.add(AuditEvent(
        actor_user_id=identity.user_id, actor_role=identity.role.value, action=action, case_id=case_id,
        entity_type=entity_type, entity_id=entity_id, reason=(reason or None) and reason[:REASON_MAX]))


@dataclass(frozen=True)
class AuditPage:
    """One page of audit events, newest first, and how many match in all."""

    events: list[AuditEvent]
    total: int


def search_events(session: Session, filters: dict) -> AuditPage:
    """Audit events filtered by case, actor and time window, newest first."""
    query = select(AuditEvent)
    if "case_id" in filters:
        query = query.where(AuditEvent.case_id == filters["case_id"])
    if "actor_user_id" in filters:
        query = query.where(AuditEvent.actor_user_id == filters["actor_user_id"])
    if "action" in filters:
        query = query.where(AuditEvent.action == filters["action"])
    if "since" in filters:
        query = query.where(AuditEvent.at >= filters["since"].astimezone(timezone.utc))
    if "until" in filters:
        query = query.where(AuditEvent.at < filters["until"].astimezone(timezone.utc))
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    page, size = filters["page"], filters["page_size"]
    events = session.scalars(query.order_by(AuditEvent.id.desc()).offset((page - 1) * size).limit(size)).all()
    return AuditPage(events=list(events), total=total or 0)
