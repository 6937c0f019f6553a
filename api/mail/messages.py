"""The texts of every message the service sends. None carries health data: each says that
something happened and where to sign in, and one-time links carry only a random token."""

from __future__ import annotations

from dataclasses import dataclass

SIGN_OFF = "\n\n-- SecondLook\nYou get this message because this address was given to SecondLook.\n"


@dataclass(frozen=True)
class Message:
    """A subject and a plain-text body."""

    subject: str
    body: str


def _message(subject: str, *lines: str) -> Message:
    return Message(subject, "\n\n".join(lines) + SIGN_OFF)


def _for_people(page: str | None, link: str) -> tuple[str, ...]:
    """A page to open in a browser (when there is one), then the API link a program follows."""
    if page is None:
        return (link,)
    return (page, "If you use the SecondLook API, the same step is this link:", link)


def verify_email(link: str, page: str | None = None) -> Message:
    """After registration: confirm the address."""
    return _message(
        "Confirm your e-mail address",
        "Confirm this address for your SecondLook account by opening this link:",
        *_for_people(page, link),
        "If you did not register, ignore this message; the account stays unusable.",
    )


def already_registered(sign_in_url: str, reset_url: str) -> Message:
    """Someone tried to register an address that already has an account."""
    return _message(
        "You already have a SecondLook account",
        "Someone (perhaps you) tried to register this address, which already has an account.",
        f"Sign in at {sign_in_url}, or reset your password with POST {reset_url}.",
        "If it was not you, you need do nothing.",
    )


def npi_taken() -> Message:
    """A physician tried to register an NPI that already has an account."""
    return _message(
        "Your SecondLook registration",
        "The NPI you registered with already belongs to a SecondLook account, so no new account "
        "was made. If that is wrong, contact the SecondLook administrators.",
    )


def reset_password(link: str, complete_url: str) -> Message:
    """A password-reset link."""
    return _message(
        "Reset your SecondLook password",
        "Someone (perhaps you) asked to reset the password of this account. Your token is in this link:",
        link,
        f"Set a new password with POST {complete_url} and the body "
        '{"token": "<the token above>", "password": "<new password>"}.',
        "If it was not you, ignore this message: your password stays as it is.",
    )


def change_email(link: str) -> Message:
    """Confirm a new address for an existing account."""
    return _message(
        "Confirm your new e-mail address",
        "Confirm that this address should become the sign-in address of your SecondLook account:",
        link,
    )


def email_change_requested(new_hint: str) -> Message:
    """Tell the old address that a change was asked for."""
    return _message(
        "Your SecondLook e-mail address is changing",
        f"Someone signed in to your account asked to move it to {new_hint}. "
        "If it was not you, reset your password now.",
    )


def specialist_invitation(link: str, complete_url: str, page: str | None = None, *, referred: bool = False) -> Message:
    """Invite a specialist to claim their directory profile (by an administrator, or because a case was
    referred to them: the message then says so, and nothing about the case)."""
    why = (
        "A physician has referred a case to you through SecondLook for a second opinion. To read it, "
        "claim your profile in the SecondLook directory. Your invitation is in this link:"
        if referred
        else "A SecondLook administrator invites you to claim your profile in the SecondLook directory, "
        "so that you can receive referrals for second opinions. Your invitation is in this link:"
    )
    return _message(
        "Claim your SecondLook specialist profile",
        why,
        *_for_people(page, link),
        f"Set your password with POST {complete_url} and the body "
        '{"token": "<the token above>", "password": "<your password>"}.',
    )


# Case steps: what each notification says. Ids only in the link; nothing about the patient or condition.
CASE_STEPS: dict[str, str] = {
    "case.invitation": "A physician has invited you to share a case with them; sign in to view it.",
    "case.created": "A case you follow has been created; sign in to view it.",
    "case.matched": "Specialists have been matched for a case you follow; sign in to view them.",
    "referral.received": "You have a new referral; sign in to view it.",
    "referral.status_changed": "A referral you follow has changed; sign in to view it.",
    "referral.accepted": "A referral you follow was accepted; sign in to view it.",
    "referral.declined": "A referral you follow was declined; sign in to view it.",
    "records.released": "Records have been released to you; sign in to view them.",
    "booking.confirmed": "An appointment has been booked; sign in to view it.",
    "payment.received": "A payment has been received; sign in to view it.",
    "opinion.delivered": "A second opinion has been delivered; sign in to read it.",
    "conference.requested": "A tie-breaker opinion has been requested; sign in to view it.",
    "path.chosen": "A patient has chosen how to continue their care with you; sign in to view it.",
    "case.closed": "A case you follow has been closed; sign in to view it.",
    "case.updated": "There is news on a case you follow; sign in to view it.",
}


def case_step(step: str, link: str, page: str | None = None) -> Message:
    """A case-step notification: what happened, in general words, and where to sign in (or a page to open)."""
    text = CASE_STEPS.get(step, CASE_STEPS["case.updated"])
    return _message("SecondLook: " + text.split(";")[0], text, *_for_people(page, link))
