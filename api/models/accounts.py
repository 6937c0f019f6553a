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


def _now_if_physician(context) -> datetime | None:
    return utcnow() if context.get_current_parameters().get("role") == Role.REFERRING_PHYSICIAN.value else None


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
    # At most one account per directory entry (claiming a profile twice is refused by the database too).
    specialist_id: Mapped[int | None] = mapped_column(ForeignKey("specialist.id", ondelete="SET NULL"), unique=True)
    npi: Mapped[str | None] = mapped_column(String(10))
    is_active: Mapped[bool] = mapped_column(default=True)  # False: deactivated (by the owner or an admin)
    # Standing (api/auth/standing.py): an unverified e-mail, or a referring physician whose NPI no
    # administrator has verified yet, may sign in and manage the account but not act on cases.
    # Accounts an operator makes (seed, admin) are verified by default; self-registration sets None.
    email_verified_at: Mapped[datetime | None] = mapped_column(UtcDateTime, default=utcnow)
    physician_verified_at: Mapped[datetime | None] = mapped_column(UtcDateTime, default=_now_if_physician)
    # An administrator's lock: no sign-in and no live token until unlocked (wrong passwords never set it).
    locked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    tokens: Mapped[list[AccessToken]] = relationship(back_populates="user", cascade="all, delete-orphan")


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


class TokenPurpose(str, enum.Enum):
    """What a one-time link lets its holder do."""

    VERIFY_EMAIL = "verify_email"  # confirm the account's e-mail (after registration)
    CHANGE_EMAIL = "change_email"  # confirm a new e-mail; `email` holds it until then
    RESET_PASSWORD = "reset_password"
    CLAIM_SPECIALIST = "claim_specialist"  # an invitation: create the account bound to `specialist_id`


class AccountToken(Base):
    """A one-time link sent by e-mail; as with bearer tokens, only its SHA-256 is stored."""

    __tablename__ = "account_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    purpose: Mapped[TokenPurpose] = mapped_column(
        Enum(TokenPurpose, native_enum=False, length=32, values_callable=lambda e: [m.value for m in e])
    )
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    specialist_id: Mapped[int | None] = mapped_column(ForeignKey("specialist.id", ondelete="CASCADE"), index=True)
    email: Mapped[str | None] = mapped_column(String(254))  # where the link went (a new e-mail, an invitee)
    created_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class LoginThrottle(Base):
    """Wrong-password counters shared by every worker: one row per e-mail digest or client address.

    Keyed by a SHA-256 (of "email:<address>" or "addr:<ip>"), so the same row exists whether or
    not the e-mail has an account and no mistyped e-mail is stored in clear.
    """

    __tablename__ = "login_throttle"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    blocked_until: Mapped[datetime | None] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
