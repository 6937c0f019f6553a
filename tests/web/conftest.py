"""Fixtures of the web app's tests: a small directory, a real server on loopback, Debian's Chromium.

The browser is Debian's own (`apt-get install chromium`; `.ci/run` installs it) driven by the
Playwright package: no browser is ever downloaded.
"""
from __future__ import annotations

import shutil
import threading
from contextlib import contextmanager
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from api.config import VAR_DIR
from reference import conditions
from tests.factories import PASSWORD, make_institution, make_user
from tests.payments_support import fake_stripe, free_port, localstripe, localstripe_url, make_bookable, make_plan  # noqa: F401
from tests.journey.conftest import mail, records  # noqa: F401  (mail to an SMTP server on loopback, a records folder)
from tests.smtp_support import smtp_server  # noqa: F401  (the server `mail` uses)
from api.models import PlanType, Role

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SCREENSHOTS = VAR_DIR / "screenshots"
AXE = Path(__file__).parent / "vendor" / "axe-4.14.1.min.js"
HEMONC = "207RH0003X"
APL = ("ORPHA", "520")  # acute promyelocytic leukemia


@pytest.fixture
def directory(session):
    """A plan with rules, an in-network APL expert who takes self-pay with open slots, and a patient."""
    network, plan = make_plan(session, PlanType.PPO)
    expert, slots = make_bookable(session, specialty=HEMONC, conditions=[(*APL, 40)], networks=[network],
                                  institution=make_institution(session, "Penn Medicine"), first_name="Ada",
                                  last_name="Hematon", slots=3, price_cents=45_000)
    patient = make_user(session, Role.PATIENT, email="pat@example.test", display_name="Pat Patient")
    session.commit()
    return {"plan": plan, "expert": expert, "slots": slots, "patient": patient, "password": PASSWORD}


@pytest.fixture
def live_server(app):
    """The app served by a real (threaded) WSGI server on a free loopback port; its base URL."""
    conditions.warm()  # the catalogues load once per process: not inside a page's navigation timeout
    port = free_port()
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}"
    server.shutdown()
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium, headless, for the whole test session."""
    if not Path(CHROMIUM).exists() or shutil.which(CHROMIUM) is None:
        pytest.fail(f"{CHROMIUM} is missing: `apt-get install chromium` (.ci/run installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@contextmanager
def fresh_page(browser):
    """A page in a browser context of its own (its own cookies), closed afterwards."""
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    context.set_default_timeout(15_000)
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.fixture
def page(browser):
    """A fresh browser context (its own cookies) and page."""
    with fresh_page(browser) as made:
        yield made


@pytest.fixture
def second_page(browser):
    """Another person's browser beside `page` (the specialist's, say), with cookies of its own."""
    with fresh_page(browser) as made:
        yield made
