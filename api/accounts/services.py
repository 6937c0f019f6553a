"""Self-service account verbs: register, confirm the e-mail, reset the password, change the e-mail,
deactivate. Each takes the unit of work and plain data; none commits.

Registration and reset answer the same whether or not the e-mail has an account: the work done
is alike (a password is hashed either way) and what differs goes by e-mail to the address's owner.
"""

from __future__ import annotations

import re
import unicodedata

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from api.accounts import links
from api.accounts.links import LinkSettings
from api.audit import services as audit
from api.auth.passwords import hash_password, verify_password
from api.auth.services import create_user, find_user, identity_of, revoke_all_tokens
from api.auth.throttle import email_key
from api.db import utcnow
from api.errors import Conflict, Forbidden, NotFound
from api.mail import messages
from api.mail.outbox import send as send_mail
from api.mail.transport import mask
from api.models import LoginThrottle, Role, Specialist, TokenPurpose, User
from api.unit_of_work import UnitOfWork

NO_DIRECTORY_RECORD = (
    "No NPPES or directory record has this NPI; an administrator can add it "
    "(POST /v1/specialists, or secondlook import-nppes)."
)
NAME_MISMATCH = "The name does not match the NPPES/directory record of this NPI."


def register(uow: UnitOfWork, links_: LinkSettings, data: dict, role: Role) -> None:
    """A new patient or referring physician account, unverified; the confirmation link goes by e-mail."""
    session = uow.session
    npi = data.get("npi")
    if role is Role.REFERRING_PHYSICIAN:
        check_directory_name(session, data["npi"], data["first_name"], data["last_name"])
    password_hash = hash_password(data["password"])  # hashed either way: the same work for every answer
    email = data["email"].strip().lower()
    if find_user(session, email) is not None:
        send_mail(
            uow,
            email,
            messages.already_registered(links_.url("/v1/auth/token"), links_.url("/v1/accounts/password-reset")),
        )
        return
    if npi and session.scalar(select(User.id).where(User.npi == npi, User.role == Role.REFERRING_PHYSICIAN)):
        send_mail(uow, email, messages.npi_taken())
        return
    user = create_user(
        session,
        email=email,
        password_hash=password_hash,
        role=role,
        display_name=_display_name(data),
        npi=npi,
        verified=False,
    )
    session.flush()
    audit.record(session, identity_of(user), "account.register", case_id=None, entity_type="user", entity_id=user.id)
    link = links.issue(session, links_, TokenPurpose.VERIFY_EMAIL, user_id=user.id, email=email)
    send_mail(uow, email, messages.verify_email(link.api, link.page))


def check_directory_name(session: Session, npi: str, first_name: str, last_name: str) -> Specialist:
    """The directory record of `npi`, when the name given is the name on it.

    404 when no record has the NPI (a reference to nothing, like any unknown id; NPPES is public, so
    this reveals nothing), 403 when the record names someone else (registering as another physician).
    """
    record = session.scalar(select(Specialist).where(Specialist.npi == npi))
    if record is None:
        raise NotFound(NO_DIRECTORY_RECORD, field="npi")
    if _name(first_name) != _name(record.first_name) or _name(last_name) != _name(record.last_name):
        raise Forbidden(NAME_MISMATCH)
    return record


def _name(value: str) -> str:
    # Case, accents, spaces and punctuation aside: "O'Brien" is "OBRIEN", "José" is "JOSE".
    plain = unicodedata.normalize("NFKD", value or "").encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Za-z]", "", plain).upper()


def _display_name(data: dict) -> str:
    if data.get("display_name"):
        return data["display_name"]
    return (
        " ".join(
            part
            for part in ("Dr." if data.get("npi") else "", data.get("first_name", ""), data.get("last_name", ""))
            if part
        ).strip()
        or data["email"]
    )


def confirm_email(uow: UnitOfWork, token: str) -> User:
    """Follow a confirmation link: a new account's address, or the new address of an e-mail change."""
    session = uow.session
    row = links.redeem(session, token, TokenPurpose.VERIFY_EMAIL, TokenPurpose.CHANGE_EMAIL)
    user = session.get(User, row.user_id)
    if user is None or not user.is_active or row.email is None:
        raise NotFound(links.DEAD_LINK)
    if row.purpose is TokenPurpose.CHANGE_EMAIL:
        if find_user(session, row.email) is not None:
            raise Conflict("Another account uses this address now; the change was not made.")
        user.email = row.email
        action = "account.email_changed"
    else:
        if user.email != row.email:  # the account has moved on to another address since
            raise NotFound(links.DEAD_LINK)
        action = "account.email_verified"
    user.email_verified_at = utcnow()
    audit.record(session, identity_of(user), action, case_id=None, entity_type="user", entity_id=user.id)
    return user


def resend_verification(uow: UnitOfWork, links_: LinkSettings, user_id: int) -> None:
    """A new confirmation link for an account whose address is not confirmed yet."""
    user = uow.session.get_one(User, user_id)
    if user.email_verified_at is not None:
        raise Conflict("This address is already confirmed.")
    link = links.issue(uow.session, links_, TokenPurpose.VERIFY_EMAIL, user_id=user.id, email=user.email)
    send_mail(uow, user.email, messages.verify_email(link.api, link.page))


def request_password_reset(uow: UnitOfWork, links_: LinkSettings, email: str) -> None:
    """Mail a reset link when the address has an active account; nothing otherwise (same answer)."""
    user = find_user(uow.session, email)
    if user is None or not user.is_active:
        return
    link = links.issue(uow.session, links_, TokenPurpose.RESET_PASSWORD, user_id=user.id, email=user.email)
    send_mail(uow, user.email, messages.reset_password(link.api, links_.url(links.PATHS[TokenPurpose.RESET_PASSWORD])))


def complete_password_reset(uow: UnitOfWork, token: str, password: str) -> User:
    """Set a new password from a reset link: every token is revoked, the login throttle forgets the e-mail.

    The link proves the mailbox, so an unconfirmed address counts as confirmed from here on.
    """
    session = uow.session
    row = links.redeem(session, token, TokenPurpose.RESET_PASSWORD)
    user = session.get(User, row.user_id)
    if user is None or not user.is_active or user.email != row.email:
        raise NotFound(links.DEAD_LINK)
    user.password_hash = hash_password(password)
    user.email_verified_at = user.email_verified_at or utcnow()
    revoke_all_tokens(session, user.id)
    session.execute(delete(LoginThrottle).where(LoginThrottle.key == email_key(user.email)))
    audit.record(
        session, identity_of(user), "account.password_reset", case_id=None, entity_type="user", entity_id=user.id
    )
    return user


def request_email_change(uow: UnitOfWork, links_: LinkSettings, user_id: int, new_email: str, password: str) -> None:
    """Mail a confirmation link to the new address (and a warning to the old one); same answer if it is taken."""
    session = uow.session
    user = session.get_one(User, user_id)
    _check_password(user, password)
    new_email = new_email.strip().lower()
    if find_user(session, new_email) is not None:
        send_mail(
            uow,
            new_email,
            messages.already_registered(links_.url("/v1/auth/token"), links_.url("/v1/accounts/password-reset")),
        )
    else:
        link = links.issue(session, links_, TokenPurpose.CHANGE_EMAIL, user_id=user.id, email=new_email)
        send_mail(uow, new_email, messages.change_email(link.api))
    send_mail(uow, user.email, messages.email_change_requested(mask(new_email)))
    audit.record(
        session,
        identity_of(user),
        "account.email_change_requested",
        case_id=None,
        entity_type="user",
        entity_id=user.id,
    )


def deactivate(uow: UnitOfWork, user_id: int, password: str) -> None:
    """The owner closes the account: no sign-in, every token revoked; the data stays for the audit trail."""
    session = uow.session
    user = session.get_one(User, user_id)
    _check_password(user, password)
    user.is_active = False
    revoke_all_tokens(session, user.id)
    audit.record(session, identity_of(user), "account.deactivated", case_id=None, entity_type="user", entity_id=user.id)


def _check_password(user: User, password: str) -> None:
    if not verify_password(user.password_hash, password):
        raise Forbidden("The password is wrong.")
