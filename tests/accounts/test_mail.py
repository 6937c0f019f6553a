"""Mail: through a real SMTP server after the commit, to the log and an mbox by default, retried
when the server was down; case steps reach everyone concerned and carry no health data."""
from __future__ import annotations

import mailbox

from api.cases.notifications import deliver_pending, make_sink
from api.mail.outbox import flush
from api.models import MailOutbox, NotificationOutbox, ReferralStatus, Role
from tests.cases.factories import make_account, make_case, make_referral
from tests.factories import make_specialist
from tests.smtp_support import LINK, _free_port

PASSWORD = "a long enough passphrase"
MARKERS = ("APL", "ATRA", "chemotherapy", "Pat Example", "1980")


def _register(client, email="pat@example.test"):
    return client.post("/v1/accounts/patients",
                       json={"email": email, "password": PASSWORD, "display_name": "Pat Example"})


def test_the_log_mailer_keeps_an_mbox_a_newcomer_can_follow(app, client, tmp_path, caplog):
    app.config.update(MAILER="log", MAIL_MBOX=str(tmp_path / "mail.mbox"))
    app.extensions["mail_transport"] = None
    assert _register(client).status_code == 202
    [message] = list(mailbox.mbox(str(tmp_path / "mail.mbox")))
    assert message["To"] == "pat@example.test"
    token = LINK.search(message.get_payload(decode=True).decode()).group(1)
    assert client.post("/v1/accounts/email-verification", json={"token": token}).status_code == 200
    assert "email-verification?token=" in caplog.text


def test_a_message_the_server_refused_stays_pending_until_deliver_mail(app, client, session, mail):
    app.config.update(SMTP_PORT=_free_port())  # nothing listens there
    app.extensions["mail_transport"] = None
    assert _register(client).status_code == 202  # the answer does not depend on the mail server
    row = session.query(MailOutbox).one()
    session.rollback()
    assert (row.sent_at, row.attempts, row.last_error) == (None, 1, "ConnectionRefusedError")
    app.config.update(SMTP_PORT=mail.port)
    app.extensions["mail_transport"] = None
    result = app.test_cli_runner().invoke(args=["deliver-mail"])
    assert "sent 1 messages" in result.output
    assert mail.wait_for("pat@example.test")[0]["Subject"] == "Confirm your e-mail address"
    session.rollback()  # a fresh snapshot
    sent = session.query(MailOutbox).one()
    assert sent.sent_at is not None and sent.body == ""  # the one-time link is not kept


def test_the_background_courier_sends_after_the_answer(app, client, mail):
    app.config.update(MAIL_BACKGROUND=True)
    assert _register(client).status_code == 202
    flush(app)
    assert mail.wait_for("pat@example.test")[0]["From"] == "SecondLook <no-reply@secondlook.test>"


def test_a_referral_step_is_mailed_to_everyone_concerned_without_health_data(app, session, mail):
    specialist = make_specialist(session)
    referrer = make_account(session, Role.REFERRING_PHYSICIAN, email="ref@example.test")
    patient = make_account(session, Role.PATIENT, email="pat@example.test")
    make_account(session, Role.SPECIALIST, specialist=specialist, email="spec@example.test")
    case = make_case(session, creator=referrer, patient=patient)
    referral = make_referral(session, case, specialist, ReferralStatus.REQUESTED)
    session.add(NotificationOutbox(topic="referral.status_changed", entity_id=referral.id, status="requested"))
    session.commit()
    app.config.update(NOTIFIER="log,email")
    with app.app_context():
        assert deliver_pending(app.extensions["db"][1], make_sink(app.config)) == 1
    session.commit()
    for address in ("ref@example.test", "pat@example.test", "spec@example.test"):
        [message] = mail.wait_for(address)
        text = message.get_content()
        assert "You have a new referral; sign in to view it." in text
        assert f"http://127.0.0.1:8000/v1/cases/{case.id}" in text
        assert not [marker for marker in MARKERS if marker in text + message["Subject"]]


def test_notify_user_mails_one_reachable_person_after_the_commit(app, session, mail):
    from api.mail.notices import notify_user
    from api.unit_of_work import unit_of_work

    patient = make_account(session, Role.PATIENT, email="pat@example.test")
    gone = make_account(session, Role.PATIENT, email="gone@example.test")
    gone.is_active = False
    session.commit()
    with app.test_request_context():
        with unit_of_work() as uow:
            assert notify_user(uow, patient.id, "path.chosen", case_id=7) is True
            assert notify_user(uow, gone.id, "path.chosen", case_id=7) is False
            assert mail.received() == []  # nothing before the commit
    [message] = mail.wait_for("pat@example.test")
    assert "sign in to view it" in message.get_content() and "/v1/cases/7" in message.get_content()
    assert mail.received("gone@example.test") == []
