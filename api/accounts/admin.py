"""Administration of accounts: find them, change a role, lock and unlock, deactivate, verify physicians.

Every change is audited with the administrator as the actor. An administrator cannot lock,
deactivate or demote their own account (there must always be one left who can undo it).
"""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from api.audit import services as audit
from api.auth.services import Identity, revoke_all_tokens
from api.db import utcnow
from api.errors import Conflict, NotFound
from api.models import Role, User
from api.pages import Page, paginate

STATUSES = ("active", "deactivated", "locked", "unverified", "pending_physician")


def list_users(session: Session, filters: dict) -> Page:
    """Accounts by e-mail or name (`q`), role and status, oldest first."""
    query = select(User).order_by(User.id)
    if "q" in filters:
        like = f"%{filters['q'].lower()}%"
        query = query.where(or_(User.email.like(like), User.display_name.ilike(like), User.npi == filters["q"]))
    if "role" in filters:
        query = query.where(User.role == Role(filters["role"]))
    status = filters.get("status")
    if status == "active":
        query = query.where(User.is_active.is_(True), User.locked_at.is_(None))
    elif status == "deactivated":
        query = query.where(User.is_active.is_(False))
    elif status == "locked":
        query = query.where(User.locked_at.is_not(None))
    elif status == "unverified":
        query = query.where(User.email_verified_at.is_(None))
    elif status == "pending_physician":
        query = query.where(User.role == Role.REFERRING_PHYSICIAN, User.physician_verified_at.is_(None))
    return paginate(session, query, filters["page"], filters["page_size"])


def load_user(session: Session, user_id: int) -> User:
    """An account, or 404."""
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("No such account.")
    return user


def update_user(session: Session, admin: Identity, user_id: int, changes: dict) -> User:
    """Change role, lock or activity; each change is one audit event."""
    user = load_user(session, user_id)
    if user.id == admin.user_id and changes:
        raise Conflict("Administrators cannot change their own role, lock or activity; ask another administrator.")
    if "role" in changes and Role(changes["role"]) is not user.role:
        user.role = Role(changes["role"])
        _audit(session, admin, f"account.role_{user.role.value}", user)
    if "locked" in changes and changes["locked"] != (user.locked_at is not None):
        user.locked_at = utcnow() if changes["locked"] else None
        _audit(session, admin, "account.locked" if changes["locked"] else "account.unlocked", user)
    if "active" in changes and changes["active"] != user.is_active:
        user.is_active = changes["active"]
        _audit(session, admin, "account.reactivated" if user.is_active else "account.deactivated", user)
    if user.locked_at is not None or not user.is_active:
        revoke_all_tokens(session, user.id)
    return user


def verify_physician(session: Session, admin: Identity, user_id: int) -> User:
    """Mark a referring physician's NPI verified: from now on they may start cases and send referrals."""
    user = load_user(session, user_id)
    if user.role is not Role.REFERRING_PHYSICIAN:
        raise Conflict("Only referring physicians' accounts are verified this way.")
    if user.physician_verified_at is None:
        user.physician_verified_at = utcnow()
        _audit(session, admin, "account.physician_verified", user)
    return user


def _audit(session: Session, admin: Identity, action: str, user: User) -> None:
    audit.record(session, admin, action, case_id=None, entity_type="user", entity_id=user.id)
