"""Case tests keep records in a temporary folder and notifications in a list."""
from __future__ import annotations

import pytest


class RecordingSink:
    """A notification sink that remembers what it was sent."""

    def __init__(self) -> None:
        self.sent: list[dict] = []

    def send(self, payload: dict) -> None:
        """Remember the notification."""
        self.sent.append(payload)


class RecordingMailer:
    """A mailer that remembers every message (to, subject, body)."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str, str]] = []

    def send(self, to: str, subject: str, body: str) -> None:
        """Remember the message."""
        self.sent.append((to, subject, body))


@pytest.fixture(autouse=True)
def mailbox(app) -> RecordingMailer:
    """The e-mails this test's requests sent."""
    recording = RecordingMailer()
    app.extensions["case_mailer"] = recording
    return recording


@pytest.fixture(autouse=True)
def records_dir(app, tmp_path):
    """The app's records storage: a folder of this test's own."""
    folder = tmp_path / "records"
    app.config["RECORDS_DIR"] = str(folder)
    app.extensions["records_storage"] = None
    return folder


@pytest.fixture(autouse=True)
def sink(app) -> RecordingSink:
    """The notifications this test's requests sent."""
    recording = RecordingSink()
    app.extensions["notification_sink"] = recording
    return recording
