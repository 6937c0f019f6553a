"""The audit trail of every read and write of case data."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from api.db import Base, UtcDateTime, utcnow


class AuditEvent(Base):
    """Who did what to which case, when and why; ids and action names only, never case content."""

    __tablename__ = "audit_event"
    __table_args__ = (
        Index("ix_audit_event_case_id_at", "case_id", "at"),
        Index("ix_audit_event_actor_user_id_at", "actor_user_id", "at"),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, index=True)
    # Plain ids, no foreign keys: the trail outlives the accounts and cases it mentions.
    actor_user_id: Mapped[int] = mapped_column(Integer)
    actor_role: Mapped[str] = mapped_column(String(32))
    action: Mapped[str] = mapped_column(String(48))  # e.g. case.read, referral.accept, record.download
    case_id: Mapped[int | None] = mapped_column(Integer)
    entity_type: Mapped[str | None] = mapped_column(String(32))
    entity_id: Mapped[int | None] = mapped_column(Integer)
    reason: Mapped[str | None] = mapped_column(String(500))  # the caller's X-Access-Reason
