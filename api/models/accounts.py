"""Accounts, roles and bearer tokens."""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Enum, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from api.db import Base, UtcDateTime, utcnow


class Role(str, enum.Enum):
    """What an account may do; one role per account."""

    PATIENT = "patient"
    REFERRING_PHYSICIAN = "referring_physician"
    SPECIALIST = "specialist"
    ADMIN = "admin"


class User(Base):
    """A person who signs in: patient, referring physician, specialist or administrator."""

    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(
        Enum(Role, native_enum=False, length=32, values_callable=lambda e: [m.value for m in e])
    )
    display_name: Mapped[str] = mapped_column(String(200))
    # A specialist's account is tied to their directory entry; a referring physician's to an NPI.
    specialist_id: Mapped[int | None] = mapped_column(ForeignKey("specialist.id", ondelete="SET NULL"))
    npi: Mapped[str | None] = mapped_column(String(10))
    is_active: Mapped[bool] = mapped_column(default=True)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)  # consecutive, since the last success or lock
    locked_until: Mapped[datetime | None] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    tokens: Mapped[list["AccessToken"]] = relationship(back_populates="user", cascade="all, delete-orphan")


class AccessToken(Base):
    """An issued bearer token; only its SHA-256 is stored, so a database leak leaks no tokens."""

    __tablename__ = "access_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    user: Mapped[User] = relationship(back_populates="tokens")
