"""Case tests keep records in a temporary folder and notifications in a list."""
from __future__ import annotations

import pytest

from tests.cases.factories import RecordingTransport


class RecordingSink:
    """A notification sink that remembers what it was sent."""

    def __init__(self) -> None:
        self.sent: list[dict] = []

    def send(self, payload: dict) -> None:
        """Remember the notification."""
        self.sent.append(payload)


@pytest.fixture(autouse=True)
def mailbox(app) -> RecordingTransport:
    """The e-mails this test's requests sent (tests send mail before answering: MAIL_BACKGROUND is off)."""
    recording = RecordingTransport()
    app.extensions["mail_transport"] = recording
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
