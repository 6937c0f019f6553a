"""Account verbs: create an account, log in, resolve and revoke bearer tokens."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import null, select, update
from sqlalchemy.orm import Session

from api.auth.passwords import hash_password, verify_password
from api.auth.throttle import Throttle
from api.db import as_utc, utcnow
from api.errors import TooManyRequests, Unauthenticated
from api.models import AccessToken, Role, User
from api.unit_of_work import UnitOfWork

WRONG_CREDENTIALS = "E-mail or password is wrong."
SLOW_DOWN = "Too many wrong passwords for this e-mail or from this address; try again later, or reset the password."


@dataclass(frozen=True)
class Identity:
    """Who is calling: passed explicitly to services, never read from the request there.

    `email_verified` and `physician_verified` are the account's standing (api/auth/standing.py).
    """

    user_id: int
    role: Role
    specialist_id: int | None = None
    npi: str | None = None
    email_verified: bool = True
    physician_verified: bool = True

    def has_role(self, *roles: Role) -> bool:
        """True when the caller holds one of `roles`."""
        return self.role in roles


@dataclass(frozen=True)
class IssuedToken:
    """A freshly issued bearer token; the only moment its plain text exists."""

    token: str
    expires_in: int
    user: User


def digest(token: str) -> str:
    """The SHA-256 under which a token (bearer or one-time link) is stored."""
    return hashlib.sha256(token.encode()).hexdigest()


def create_user(
    session: Session,
    *,
    email: str,
    password: str | None = None,
    role: Role,
    display_name: str,
    specialist_id: int | None = None,
    npi: str | None = None,
    verified: bool = True,
    password_hash: str | None = None,
) -> User:
    """Add an account with a hashed password, or the hash already made of it (the caller commits).

    `verified` marks the e-mail (and a referring physician's NPI) as verified: seeded and
    admin-made accounts are; self-registered ones are not until their owner and an admin say so.
    """
    # null(), not None: the ORM would take None for "not given" and apply the column's default.
    now = utcnow() if verified else null()
    if not password_hash:
        if password is None:
            raise ValueError("create_user needs a password or the hash of one")
        password_hash = hash_password(password)
    user = User(
        email=email.strip().lower(),
        password_hash=password_hash,
        role=role,
        display_name=display_name,
        specialist_id=specialist_id,
        npi=npi,
        email_verified_at=now,
        physician_verified_at=now if role is Role.REFERRING_PHYSICIAN else null(),
    )
    session.add(user)
    return user


def find_user(session: Session, email: str) -> User | None:
    """The account with this e-mail (case-insensitive), if any."""
    return session.scalar(select(User).where(User.email == email.strip().lower()))


def can_sign_in(user: User | None) -> bool:
    """An account exists, is active and is not locked by an administrator."""
    return user is not None and user.is_active and user.locked_at is None


def login(uow: UnitOfWork, email: str, password: str, ttl_s: int, throttle: Throttle) -> IssuedToken:
    """Check credentials and issue a bearer token valid for `ttl_s` seconds.

    Unknown e-mails cost the same password hash and count on the same throttle as real ones, so
    status, body and time are the same for both. The throttle writes in a transaction of its own,
    once this one has ended (SQLite has one writer): a failure is counted after the rollback.
    """
    wait = throttle.retry_after()
    if wait:
        raise TooManyRequests(SLOW_DOWN, headers={"Retry-After": str(wait)})
    user = find_user(uow.session, email)
    right = verify_password(user.password_hash if user else None, password)
    if user is None or not (right and can_sign_in(user)):
        uow.on_rollback(throttle.failed)
        raise Unauthenticated(WRONG_CREDENTIALS)
    uow.after_commit(throttle.succeeded)
    token = secrets.token_urlsafe(32)
    uow.session.add(
        AccessToken(user_id=user.id, token_sha256=digest(token), expires_at=utcnow() + timedelta(seconds=ttl_s))
    )
    return IssuedToken(token=token, expires_in=ttl_s, user=user)


def identity_of(user: User) -> Identity:
    """The identity an account acts with."""
    return Identity(
        user_id=user.id,
        role=user.role,
        specialist_id=user.specialist_id,
        npi=user.npi,
        email_verified=user.email_verified_at is not None,
        physician_verified=user.physician_verified_at is not None,
    )


def resolve_token(session: Session, token: str) -> Identity | None:
    """The identity behind a live token, or None when unknown, expired, revoked or the account is shut."""
    row = session.scalar(select(AccessToken).where(AccessToken.token_sha256 == digest(token)))
    if row is None or row.revoked_at is not None or as_utc(row.expires_at) <= utcnow():
        return None
    return identity_of(row.user) if can_sign_in(row.user) else None


def revoke_token(session: Session, token: str) -> bool:
    """Revoke a token at once; True when there was a live one."""
    row = session.scalar(select(AccessToken).where(AccessToken.token_sha256 == digest(token)))
    if row is None or row.revoked_at is not None:
        return False
    row.revoked_at = utcnow()
    return True


def revoke_all_tokens(session: Session, user_id: int) -> None:
    """Revoke every live token of an account (password reset, lock, deactivation)."""
    session.execute(
        update(AccessToken)
        .where(AccessToken.user_id == user_id, AccessToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
        .execution_options(synchronize_session=False)
    )
