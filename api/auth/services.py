"""Account verbs: create an account, log in, resolve and revoke bearer tokens."""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.auth.passwords import hash_password, verify_password
from api.db import utcnow
from api.models import AccessToken, Role, User


@dataclass(frozen=True)
class Identity:
    """Who is calling: passed explicitly to services, never read from the request there."""

    user_id: int
    role: Role
    specialist_id: int | None = None
    npi: str | None = None

    def has_role(self, *roles: Role) -> bool:
        """True when the caller holds one of `roles`."""
        return self.role in roles


@dataclass(frozen=True)
class IssuedToken:
    """A freshly issued bearer token; the only moment its plain text exists."""

    token: str
    expires_in: int
    user: User


class InvalidCredentials(Exception):
    """E-mail and password do not match an active account."""


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_user(session: Session, *, email: str, password: str, role: Role, display_name: str,
                specialist_id: int | None = None, npi: str | None = None) -> User:
    """Add an account with a hashed password (the caller commits)."""
    user = User(email=email.lower(), password_hash=hash_password(password), role=role,
                display_name=display_name, specialist_id=specialist_id, npi=npi)
    session.add(user)
    return user


def login(session: Session, email: str, password: str, ttl_s: int) -> IssuedToken:
    """Check credentials and issue a bearer token valid for `ttl_s` seconds."""
    user = session.scalar(select(User).where(User.email == email.lower()))
    if not verify_password(user.password_hash if user else None, password) or not user.is_active:
        raise InvalidCredentials()
    token = secrets.token_urlsafe(32)
    session.add(AccessToken(user_id=user.id, token_sha256=_digest(token),
                            expires_at=utcnow() + timedelta(seconds=ttl_s)))
    return IssuedToken(token=token, expires_in=ttl_s, user=user)


def resolve_token(session: Session, token: str) -> Identity | None:
    """The identity behind a live token, or None when unknown, expired or revoked."""
    row = session.scalar(select(AccessToken).where(AccessToken.token_sha256 == _digest(token)))
    if row is None or row.revoked_at is not None or _aware(row.expires_at) <= utcnow():
        return None
    user = row.user
    if not user.is_active:
        return None
    return Identity(user_id=user.id, role=user.role, specialist_id=user.specialist_id, npi=user.npi)


def revoke_token(session: Session, token: str) -> bool:
    """Revoke a token at once; True when there was a live one."""
    row = session.scalar(select(AccessToken).where(AccessToken.token_sha256 == _digest(token)))
    if row is None or row.revoked_at is not None:
        return False
    row.revoked_at = utcnow()
    return True


def _aware(moment):
    # SQLite hands back naive datetimes for timezone-aware columns; they were stored as UTC.
    from datetime import timezone

    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
