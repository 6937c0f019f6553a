"""Account verbs: create an account, log in, resolve and revoke bearer tokens."""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from api.auth.passwords import hash_password, verify_password
from api.db import as_utc, utcnow
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


class LoginLocked(Exception):
    """Too many wrong passwords for this e-mail: no attempt is checked until `retry_after_s` has passed."""

    def __init__(self, retry_after_s: int) -> None:
        super().__init__(retry_after_s)
        self.retry_after_s = retry_after_s


@dataclass(frozen=True)
class LockoutPolicy:
    """After `max_failures` wrong passwords in a row, an e-mail is locked for `lock_s` seconds."""

    max_failures: int = 5
    lock_s: int = 15 * 60


class UnknownEmailLocks:
    """The same lockout for e-mails with no account, so a lock never reveals that an account exists.

    Kept in the rate limiter's storage (`limits` storage: memory or Redis) under a digest of the
    e-mail: there is no row to keep it in, and storing the e-mails people mistype would be a leak.
    """

    def __init__(self, storage, policy: LockoutPolicy) -> None:
        self.storage, self.policy = storage, policy

    def _keys(self, email: str) -> tuple[str, str]:
        digest = hashlib.sha256(email.lower().encode()).hexdigest()
        return f"login-fail/{digest}", f"login-lock/{digest}"

    def retry_after(self, email: str) -> int:
        """Seconds left of this e-mail's lock; 0 when it is not locked."""
        lock = self._keys(email)[1]
        return max(1, int(self.storage.get_expiry(lock) - _now_s())) if self.storage.get(lock) else 0

    def failed(self, email: str) -> None:
        """Count a failure; the `max_failures`-th locks the e-mail."""
        fail, lock = self._keys(email)
        if self.storage.incr(fail, self.policy.lock_s) >= self.policy.max_failures:
            self.storage.clear(fail)
            self.storage.incr(lock, self.policy.lock_s)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_user(session: Session, *, email: str, password: str, role: Role, display_name: str,
                specialist_id: int | None = None, npi: str | None = None) -> User:
    """Add an account with a hashed password (the caller commits)."""
    user = User(email=email.lower(), password_hash=hash_password(password), role=role,
                display_name=display_name, specialist_id=specialist_id, npi=npi)
    session.add(user)
    return user


def login(session: Session, email: str, password: str, ttl_s: int, *, policy: LockoutPolicy | None = None,
          strangers: UnknownEmailLocks | None = None) -> IssuedToken:
    """Check credentials and issue a bearer token valid for `ttl_s` seconds.

    With a `policy`, wrong passwords are counted (the caller commits after InvalidCredentials too)
    and a locked e-mail raises LoginLocked, whether or not it has an account.
    """
    user = session.scalar(select(User).where(User.email == email.lower()))
    if policy is not None:
        _refuse_if_locked(user, email, strangers)
    # The hash is checked even for an unknown e-mail, so both answers take as long.
    if not verify_password(user.password_hash if user else None, password) or user is None or not user.is_active:
        if policy is not None:
            _count_failure(session, user, email, policy, strangers)
        raise InvalidCredentials()
    if user.failed_logins or user.locked_until:
        user.failed_logins, user.locked_until = 0, None
    token = secrets.token_urlsafe(32)
    session.add(AccessToken(user_id=user.id, token_sha256=_digest(token),
                            expires_at=utcnow() + timedelta(seconds=ttl_s)))
    return IssuedToken(token=token, expires_in=ttl_s, user=user)


def _refuse_if_locked(user: User | None, email: str, strangers: UnknownEmailLocks | None) -> None:
    if user is None:
        wait = strangers.retry_after(email) if strangers else 0
    else:
        wait = int((as_utc(user.locked_until) - utcnow()).total_seconds()) if user.locked_until else 0
    if wait > 0:
        raise LoginLocked(wait)


def _count_failure(session: Session, user: User | None, email: str, policy: LockoutPolicy,
                   strangers: UnknownEmailLocks | None) -> None:
    if user is None:
        if strangers is not None:
            strangers.failed(email)
        return
    # In SQL, so two wrong passwords arriving together both count.
    session.execute(update(User).where(User.id == user.id).values(failed_logins=User.failed_logins + 1)
                    .execution_options(synchronize_session=False))
    session.refresh(user, ["failed_logins"])
    if user.failed_logins >= policy.max_failures:
        user.failed_logins, user.locked_until = 0, utcnow() + timedelta(seconds=policy.lock_s)


def resolve_token(session: Session, token: str) -> Identity | None:
    """The identity behind a live token, or None when unknown, expired or revoked."""
    row = session.scalar(select(AccessToken).where(AccessToken.token_sha256 == _digest(token)))
    if row is None or row.revoked_at is not None or as_utc(row.expires_at) <= utcnow():
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


def _now_s() -> float:
    return utcnow().timestamp()

