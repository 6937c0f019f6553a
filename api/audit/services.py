"""Writing audit events (in the caller's transaction) and reading them back for administrators."""

from __future__ import annotations

from datetime import UTC

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.auth.services import Identity
from api.models import AuditEvent
from api.pagination import Page, paginate

REASON_MAX = 500


def record(
    session: Session,
    identity: Identity,
    action: str,
    *,
    case_id: int | None,
    entity_type: str | None = None,
    entity_id: int | None = None,
    reason: str | None = None,
) -> None:
    """Add an audit event to the current transaction: it commits or rolls back with the change it records."""
    session.add(
        AuditEvent(
            actor_user_id=identity.user_id,
            actor_role=identity.role.value,
            action=action,
            case_id=case_id,
            entity_type=entity_type,
            entity_id=entity_id,
            reason=(reason or None) and reason[:REASON_MAX],
        )
    )


def search_events(session: Session, filters: dict) -> Page[AuditEvent]:
    """Audit events filtered by case, actor and time window, newest first."""
    query = select(AuditEvent)
    if "case_id" in filters:
        query = query.where(AuditEvent.case_id == filters["case_id"])
    if "actor_user_id" in filters:
        query = query.where(AuditEvent.actor_user_id == filters["actor_user_id"])
    if "action" in filters:
        query = query.where(AuditEvent.action == filters["action"])
    if "since" in filters:
        query = query.where(AuditEvent.at >= filters["since"].astimezone(UTC))
    if "until" in filters:
        query = query.where(AuditEvent.at < filters["until"].astimezone(UTC))
    return paginate(session, query.order_by(AuditEvent.id.desc()), filters["page"], filters["page_size"])
