"""The case features' e-mail, through the mailer (api/mail): an outbox row in the caller's transaction.

Every message says only that something happened and where to sign in (the texts are
`api.mail.messages.CASE_STEPS`): never a condition, a diagnosis or a note. A refused request rolls
its row back and mails nobody.
"""

from __future__ import annotations

from flask import current_app

from api.mail import messages
from api.mail.notices import notify_user
from api.mail.outbox import send
from api.unit_of_work import UnitOfWork


def public_link(path: str) -> str:
    """An absolute link into the API, for a message."""
    return current_app.config["PUBLIC_BASE_URL"].rstrip("/") + path


def mail_case_invitation(uow: UnitOfWork, email: str, link: str, page: str) -> None:
    """Invite an address (with or without an account) to accept a case, by the links that carry the token."""
    send(uow, email, messages.case_step("case.invitation", link, page))


def tell_chosen_physician(uow: UnitOfWork, user_id: int, case_id: int) -> bool:
    """Tell the physician a patient continues with that the path is chosen; False when they cannot be reached."""
    return notify_user(uow, user_id, "path.chosen", case_id)
