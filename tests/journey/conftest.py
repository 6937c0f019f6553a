"""The journey test's app setup: mail to a real SMTP server on loopback, the Stripe twin, a records folder,
and the demo administrator (the only account not made through the API)."""
from __future__ import annotations

import pytest

from api.auth.services import create_user
from api.models import Role
from seed_data.demo_accounts import DEMO_ACCOUNTS
from tests.payments_support import fake_stripe  # noqa: F401 (the fixture)
from tests.smtp_support import smtp_config, smtp_server  # noqa: F401 (the fixture)


@pytest.fixture
def mail(app, smtp_server):  # noqa: F811 (the fixture imported above)
    """Every message the app sends goes to `smtp_server`, over SMTP."""
    app.config.update(smtp_config(smtp_server))
    app.extensions["mail_transport"] = None
    app.config["NOTIFIER"] = "log,email"  # case steps by e-mail too, as `make run` does
    app.extensions["notification_sink"] = None
    return smtp_server


@pytest.fixture
def records(app, tmp_path):
    """The app's records storage: a folder of this test's own."""
    app.config["RECORDS_DIR"] = str(tmp_path / "records")
    app.extensions["records_storage"] = None


@pytest.fixture
def demo_admin(session):
    """The demo administrator's e-mail and password (as `secondlook demo-accounts` would create it)."""
    account = next(a for a in DEMO_ACCOUNTS if a.role is Role.ADMIN)
    create_user(session, email=account.email, password=account.password, role=Role.ADMIN,
                display_name=account.display_name)
    session.commit()
    return account.email, account.password
