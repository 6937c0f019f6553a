"""Account tests send their mail to a real SMTP server on loopback."""
from __future__ import annotations

import pytest

from tests.smtp_support import smtp_config, smtp_server  # noqa: F401 (the fixture)


@pytest.fixture(autouse=True)
def mail(app, smtp_server):  # noqa: F811 (the fixture imported above)
    """Every message the app sends in this test goes to `smtp_server`."""
    app.config.update(smtp_config(smtp_server))
    app.extensions["mail_transport"] = None
    return smtp_server
