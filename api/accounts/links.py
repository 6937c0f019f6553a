"""One-time links: issued with a random token (only its digest is kept), used once, within a time."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlencode

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.auth.services import digest
from api.db import as_utc, utcnow
from api.errors import NotFound
from api.models import AccountToken, TokenPurpose

# Where each link points: the e-mail says what to POST there (confirmation also works by GET).
PATHS = {
    TokenPurpose.VERIFY_EMAIL: "/v1/accounts/email-verification",
    TokenPurpose.CHANGE_EMAIL: "/v1/accounts/email-verification",
    TokenPurpose.RESET_PASSWORD: "/v1/accounts/password-reset/complete",
    TokenPurpose.CLAIM_SPECIALIST: "/v1/accounts/specialist-claims",
}
# The pages people open from a message (api/web), the token in the path: the same token as the API link's.
PAGES = {TokenPurpose.VERIFY_EMAIL: "/signup/confirm/", TokenPurpose.CLAIM_SPECIALIST: "/claim/"}
DEAD_LINK = "This link is unknown, already used or expired; ask for a new one."


@dataclass(frozen=True)
class Link:
    """A one-time link as a program follows it (the API endpoint) and as a person does (a page, if any)."""

    api: str
    page: str | None = None


@dataclass(frozen=True)
class LinkSettings:
    """The public address links start with, and how long each kind lives."""

    base_url: str
    ttl_s: dict[TokenPurpose, int]

    @classmethod
    def from_config(cls, config) -> LinkSettings:
        """Settings from the app configuration."""
        verify, reset = config["VERIFY_TOKEN_TTL_S"], config["RESET_TOKEN_TTL_S"]
        return cls(
            config["PUBLIC_BASE_URL"].rstrip("/"),
            {
                TokenPurpose.VERIFY_EMAIL: verify,
                TokenPurpose.CHANGE_EMAIL: verify,
                TokenPurpose.RESET_PASSWORD: reset,
                TokenPurpose.CLAIM_SPECIALIST: config["INVITATION_TTL_S"],
            },
        )

    def url(self, path: str) -> str:
        """An absolute URL of the API."""
        return self.base_url + path


def issue(
    session: Session,
    links: LinkSettings,
    purpose: TokenPurpose,
    *,
    user_id: int | None = None,
    specialist_id: int | None = None,
    email: str | None = None,
    created_by_user_id: int | None = None,
) -> Link:
    """Add a one-time token and return the links that carry it."""
    token = secrets.token_urlsafe(32)
    session.add(
        AccountToken(
            purpose=purpose,
            token_sha256=digest(token),
            user_id=user_id,
            specialist_id=specialist_id,
            email=email,
            created_by_user_id=created_by_user_id,
            expires_at=utcnow() + timedelta(seconds=links.ttl_s[purpose]),
        )
    )
    page = links.url(PAGES[purpose] + token) if purpose in PAGES else None
    return Link(links.url(PATHS[purpose]) + "?" + urlencode({"token": token}), page)


def find_live(session: Session, token: str, *purposes: TokenPurpose, for_update: bool = False) -> AccountToken:
    """The live (unused, unexpired) token of one of `purposes`, or 404: the same for unknown, used and expired."""
    query = select(AccountToken).where(AccountToken.token_sha256 == digest(token))
    row = session.scalar(query.with_for_update() if for_update else query)
    if row is None or row.purpose not in purposes or row.used_at is not None or as_utc(row.expires_at) <= utcnow():
        raise NotFound(DEAD_LINK)
    return row


def redeem(session: Session, token: str, *purposes: TokenPurpose) -> AccountToken:
    """Use a live token of one of `purposes` (marked used in this transaction), or raise 404."""
    row = find_live(session, token, *purposes, for_update=True)
    row.used_at = utcnow()
    return row
