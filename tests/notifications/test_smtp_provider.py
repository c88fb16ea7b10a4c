"""E-mail through a real local SMTP server: accepted, refused for good, refused for now, unreachable."""

import pytest

from bawaba.notifications.constants import FailureKind, Outcome, Status
from bawaba.notifications.services import send
from tests.peers.smtp_server import SmtpPeer, free_port

pytestmark = pytest.mark.django_db(transaction=True)

VALUES = {"code": "K7P-4QX", "state": "في الطريق"}


@pytest.fixture
def smtp(settings):
    with SmtpPeer() as peer:
        settings.BAWABA_NOTIFY_PROVIDERS = [
            {
                "name": "mail",
                "kind": "smtp",
                "channels": ["email"],
                "options": {"host": "127.0.0.1", "port": peer.port, "from_email": "Bawaba <no-reply@bawaba.test>"},
            }
        ]
        yield peer


def test_mail_arrives_with_subject_body_and_our_message_id(smtp, email_template):
    message = send("case_update", to="citizen@example.iq", values=VALUES, language="ar")
    message.refresh_from_db()
    assert message.status == Status.SENT
    [mail] = smtp.received
    assert mail["To"] == "citizen@example.iq"
    assert "no-reply@bawaba.test" in mail["From"]
    assert message.provider_reference in mail["Message-ID"]
    assert "في الطريق" in mail.get_payload(decode=True).decode("utf-8")


def test_a_refused_address_fails_for_good(smtp, email_template):
    smtp.handler.rcpt_reply = "550 5.1.1 No such user"
    message = send("case_update", to="nobody@example.iq", values=VALUES)
    message.refresh_from_db()
    assert message.status == Status.FAILED
    assert message.failure_kind == FailureKind.PERMANENT


def test_try_later_keeps_the_message_waiting(smtp, email_template):
    smtp.handler.data_reply = "451 4.3.0 Try again later"
    message = send("case_update", to="citizen@example.iq", values=VALUES)
    message.refresh_from_db()
    assert message.status == Status.QUEUED
    assert message.next_attempt_at > message.created_at
    assert message.attempts.get().outcome == Outcome.FAILED


def test_an_unreachable_server_is_a_clean_temporary_failure(settings, email_template):
    settings.BAWABA_NOTIFY_PROVIDERS = [
        {"name": "mail", "kind": "smtp", "channels": ["email"], "options": {"host": "127.0.0.1", "port": free_port()}}
    ]
    message = send("case_update", to="citizen@example.iq", values=VALUES)
    message.refresh_from_db()
    assert message.status == Status.QUEUED
    attempt = message.attempts.get()
    assert attempt.outcome == Outcome.FAILED  # nothing was handed over, so asking again later is safe
    assert attempt.error_code == "smtp_connect"


def test_sms_cannot_be_sent_when_only_email_is_configured(smtp):
    from bawaba.core.errors import ValidationFailed

    with pytest.raises(ValidationFailed) as raised:
        send("provider_test", to="07701234567", values={"provider": "x"})
    assert raised.value.code == "channel_unavailable"
