"""Fixes from the security review, each with the attack it stops."""

import pytest
from django.core import checks

from bawaba.notifications.models import MessageTemplate
from bawaba.notifications.services import send

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_secret_in_an_e_mail_subject_is_erased_with_the_body():
    MessageTemplate.objects.create(
        name="email_code", channel="email", sensitive=True, subject_ar="رمزك ((code))", body_ar="الرمز ((code))"
    )
    message = send("email_code", to="citizen@example.iq", values={"code": "739201"}, priority="urgent")
    message.refresh_from_db()
    assert message.redacted
    assert message.subject == ""
    assert message.body == ""


def test_the_dev_outbox_answers_only_this_machine(client, settings):
    settings.BAWABA_NOTIFY_DEV_PAGES = True
    assert client.get("/en/dev/outbox/").status_code == 200
    assert client.get("/en/dev/outbox/", REMOTE_ADDR="203.0.113.7").status_code == 404


def test_production_warns_of_a_file_outbox_no_broker_and_unencrypted_smpp(settings):
    from bawaba.notifications.checks import check_providers

    settings.BAWABA_ENV = "production"
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.BAWABA_NOTIFY_PROVIDERS = [
        {"name": "outbox", "kind": "outbox"},
        {"name": "korek", "kind": "smpp", "options": {"host": "smsc", "system_id": "b", "password": "p"}},
    ]
    ids = {problem.id for problem in check_providers() if isinstance(problem, checks.CheckMessage)}
    assert {"notifications.W003", "notifications.W004", "notifications.W005"} <= ids


def test_provider_credentials_never_show_in_a_traceback(settings):
    from bawaba.notifications.providers.config import provider_configs

    settings.BAWABA_NOTIFY_PROVIDERS = [
        {"name": "gw", "kind": "http", "options": {"url": "https://x", "auth": {"type": "bearer", "token": "tok-123"}}}
    ]
    assert "tok-123" not in repr(provider_configs())


def test_a_short_receipt_secret_is_refused_at_start(settings):
    from django.core.exceptions import ImproperlyConfigured

    from bawaba.notifications.providers.config import get_provider

    settings.BAWABA_NOTIFY_PROVIDERS = [
        {"name": "gw", "kind": "http", "options": {"url": "https://x", "receipt_secret": "s"}}
    ]
    with pytest.raises(ImproperlyConfigured, match="at least 32"):
        get_provider("gw")


def test_the_verification_template_cannot_lose_its_code(settings):
    from bawaba.notifications.forms import MessageTemplateForm

    template = MessageTemplate.objects.get(name="verification_code")
    data = {field: getattr(template, field) for field in ("name", "channel", "description", "sender")}
    data |= {"body_ar": "مرحبا", "body_ckb": "", "body_en": "", "sensitive": True}
    form = MessageTemplateForm(data=data, instance=template)
    assert not form.is_valid()
    assert "((code))" in str(form.errors["body_ar"])


def test_values_with_broken_or_control_characters_are_refused_before_anything_is_stored():
    from bawaba.core.errors import ValidationFailed
    from bawaba.notifications.models import Message

    for bad in ("12\ud800", "12\x00", "12\x1b[2J"):
        with pytest.raises(ValidationFailed) as raised:
            send("provider_test", to="07701234567", values={"provider": bad})
        assert raised.value.code == "invalid_value"
    assert not Message.objects.exists()


def test_smtp_without_tls_is_refused_in_production(settings):
    from django.core.exceptions import ImproperlyConfigured

    from bawaba.notifications.providers.config import get_provider

    settings.BAWABA_ENV = "production"
    settings.BAWABA_NOTIFY_PROVIDERS = [{"name": "mail", "kind": "smtp", "channels": ["email"], "options": {}}]
    with pytest.raises(ImproperlyConfigured, match="use_tls"):
        get_provider("mail")
