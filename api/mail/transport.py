"""Where e-mail goes: an SMTP server (smtplib), or the log and a local mbox for development.

MAILER=smtp sends through SMTP_HOST:SMTP_PORT (STARTTLS when SMTP_STARTTLS, login when SMTP_USER);
MAILER=log writes each message to the application log and appends it to MAIL_MBOX (when set), so
a newcomer running `make run` can read the links (`mail -f var/mail.mbox`, or any text editor).
"""

from __future__ import annotations

import logging
import mailbox
import smtplib
from collections.abc import Mapping
from email.message import EmailMessage
from pathlib import Path
from typing import Protocol

log = logging.getLogger(__name__)


class Transport(Protocol):
    """Sends one message or raises."""

    def send(self, message: EmailMessage) -> None:
        """Deliver `message` to its To address."""
        ...


class SmtpTransport:
    """Standard-library SMTP: one connection per batch is not worth its complexity at this volume."""

    def __init__(
        self,
        host: str,
        port: int,
        *,
        user: str = "",
        password: str = "",
        starttls: bool = False,
        timeout_s: float = 10.0,
    ) -> None:
        self.host, self.port, self.user, self.password = host, port, user, password
        self.starttls, self.timeout_s = starttls, timeout_s

    def send(self, message: EmailMessage) -> None:
        """Connect, optionally upgrade to TLS and log in, and send."""
        with smtplib.SMTP(self.host, self.port, timeout=self.timeout_s) as smtp:
            if self.starttls:
                smtp.starttls()
            if self.user:
                smtp.login(self.user, self.password)
            smtp.send_message(message)


class LogTransport:
    """Writes messages to the log and, when a path is given, to an mbox file."""

    def __init__(self, mbox_path: str = "") -> None:
        self.mbox_path = mbox_path

    def send(self, message: EmailMessage) -> None:
        """Log the message (it holds no health data; the address is masked) and append it to the mailbox."""
        log.info("mail to=%s subject=%r\n%s", mask(message["To"]), message["Subject"], message.get_content())
        if self.mbox_path:
            Path(self.mbox_path).parent.mkdir(parents=True, exist_ok=True)
            box = mailbox.mbox(self.mbox_path)
            try:
                box.lock()
                box.add(message)
                box.flush()
            finally:
                box.unlock()
                box.close()


def mask(address: str) -> str:
    """An address with its local part hidden (p***@example.test): an e-mail address identifies a person."""
    local, _, domain = str(address).partition("@")
    return f"{local[:1]}***@{domain}"


def make_transport(config: Mapping) -> Transport:
    """The transport the configuration names."""
    if config["MAILER"] == "smtp":
        return SmtpTransport(
            config["SMTP_HOST"],
            int(config["SMTP_PORT"]),
            user=config["SMTP_USER"],
            password=config["SMTP_PASSWORD"],
            starttls=config["SMTP_STARTTLS"],
            timeout_s=config["SMTP_TIMEOUT_S"],
        )
    if config["MAILER"] == "log":
        return LogTransport(config["MAIL_MBOX"])
    raise ValueError("MAILER must be 'smtp' or 'log'")
