"""A real SMTP server on loopback (aiosmtpd) that keeps what it receives, and helpers to read it.

Use the `smtp_server` fixture (import it into a conftest) and point the app at it with
`smtp_config(server)`; `server.wait_for(address)` returns the messages an address received.
"""
from __future__ import annotations

import email
import email.policy
import re
import socket
import threading
import time
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller

LINK = re.compile(r"https?://\S+?token=([A-Za-z0-9_\-]+)")


class Mailbox:
    """The aiosmtpd handler: every message received, parsed, with its envelope recipients."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], EmailMessage]] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        """Keep the message."""
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.lock:
            self.messages.append(([r.lower() for r in envelope.rcpt_tos], parsed))
        return "250 Message accepted for delivery"


class SmtpServer:
    """A running server: its port and what it received."""

    def __init__(self, controller: Controller, mailbox: Mailbox) -> None:
        self.controller, self.mailbox, self.port = controller, mailbox, controller.port

    def received(self, address: str | None = None) -> list[EmailMessage]:
        """Messages received so far (for one address, or all)."""
        with self.mailbox.lock:
            return [m for rcpts, m in self.mailbox.messages if address is None or address.lower() in rcpts]

    def wait_for(self, address: str, count: int = 1, timeout_s: float = 10.0) -> list[EmailMessage]:
        """At least `count` messages to `address`, waiting for a background courier if need be."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            got = self.received(address)
            if len(got) >= count:
                return got
            time.sleep(0.02)
        raise AssertionError(f"{address} received {len(self.received(address))} messages, expected {count}")

    def token_for(self, address: str, count: int = 1) -> str:
        """The token of the link in the latest (`count`-th) message to `address`."""
        message = self.wait_for(address, count)[-1]
        return LINK.search(message.get_content()).group(1)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_server():
    """A real SMTP server on 127.0.0.1 for the length of a test."""
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    yield SmtpServer(controller, mailbox)
    controller.stop()


def smtp_config(server: SmtpServer) -> dict:
    """App settings that send mail through `server`."""
    return {"MAILER": "smtp", "SMTP_HOST": "127.0.0.1", "SMTP_PORT": server.port, "SMTP_STARTTLS": False,
            "MAIL_FROM": "SecondLook <no-reply@secondlook.test>"}
