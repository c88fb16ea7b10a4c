"""An SMS template sent by voice call or WhatsApp instead: the same checks, the channel recorded, the code read out."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.utils import translation

from bawaba.core.errors import ValidationFailed
from bawaba.notifications.checks import check_providers
from bawaba.notifications.constants import Channel, Status
from bawaba.notifications.models import Message, MessageTemplate
from bawaba.notifications.providers.config import provider_configs
from bawaba.notifications.rendering import render, spoken_one_by_one
from bawaba.notifications.selectors import channel_available, provider_count, public_status
from bawaba.notifications.services import send

pytestmark = pytest.mark.django_db(transaction=True)

CODE = {"code": "482913", "minutes": 5}
NUMBER = "0770 123 4567"
SPOKEN_EN = "Your Bawaba code is 4, 8, 2, 9, 1, 3. It expires in 5 minutes. Never share it."


def code_by(channel, **more):
    return send("verification_code", to=NUMBER, values=CODE, priority="urgent", language="en", channel=channel, **more)


@pytest.fixture
def sms_only(settings, tmp_path):
    settings.BAWABA_NOTIFY_PROVIDERS = [
        {"name": "outbox", "kind": "outbox", "channels": ["sms", "email"], "options": {"path": str(tmp_path / "o")}}
    ]


# -- by voice -----------------------------------------------------------------------------------------


def test_a_voice_call_reads_the_code_digit_by_digit_twice_and_records_its_channel(outbox_lines):
    message = code_by("voice")
    message.refresh_from_db()
    assert (message.status, message.channel, message.recipient) == (Status.SENT, Channel.VOICE, "+9647701234567")
    assert message.template.name == "verification_code"
    [line] = outbox_lines()
    assert (line["channel"], line["to"], line["template"], line["language"]) == (
        "voice",
        "+9647701234567",
        "verification_code",
        "en",
    )
    assert line["body"] == f"{SPOKEN_EN}\n\n{SPOKEN_EN}"


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("ar", "رمز بوابة: 4, 8, 2, 9, 1, 3. صالح 5 دقائق. لا تعطه لأحد."),
        ("ckb", "کۆدی بەوابە: 4, 8, 2, 9, 1, 3. بۆ 5 خولەک کار دەکات. بە کەسی مەدە."),
    ],
)
def test_every_language_reads_western_digits_with_commas_between(outbox_lines, language, text):
    send("verification_code", to=NUMBER, values=CODE, priority="urgent", language=language, channel="voice")
    [line] = outbox_lines()
    assert line["body"] == f"{text}\n\n{text}"


def test_a_code_written_in_eastern_arabic_digits_is_read_in_western_ones():
    assert spoken_one_by_one("٤٨٢ ٩١٣") == "4, 8, 2, 9, 1, 3"
    assert spoken_one_by_one("K7P") == "K, 7, P"


def test_only_a_value_named_code_is_spelled_out():
    notice = MessageTemplate.objects.create(name="notice", channel="sms", body_en="Case ((reference)) code ((code)).")
    rendered = render(notice, {"reference": "2024", "code": "12"}, "en", channel="voice")
    assert rendered.body == "Case 2024 code 1, 2.\n\nCase 2024 code 1, 2."
    assert render(notice, {"reference": "2024", "code": "12"}, "en").body == "Case 2024 code 12."


# -- by WhatsApp --------------------------------------------------------------------------------------


def test_whatsapp_sends_the_sms_text_as_written(outbox_lines):
    message = code_by("whatsapp")
    message.refresh_from_db()
    assert (message.status, message.channel) == (Status.SENT, Channel.WHATSAPP)
    [line] = outbox_lines()
    assert (line["channel"], line["to"]) == ("whatsapp", "+9647701234567")
    assert line["body"] == "Your Bawaba code is 482913. It expires in 5 minutes. Never share it."


def test_the_values_are_kept_for_voice_and_whatsapp_only_and_erased_with_a_secret():
    notice = send("provider_test", to=NUMBER, values={"provider": "x"}, channel="whatsapp")
    assert Message.objects.get(pk=notice.pk).template_values == {"provider": "x"}
    assert Message.objects.get(pk=send("provider_test", to=NUMBER, values={"provider": "x"}).pk).template_values == {}
    code = Message.objects.get(pk=code_by("voice").pk)
    assert (code.redacted, code.body, code.template_values) == (True, "", {})


def test_the_sms_sender_name_stays_with_sms():
    MessageTemplate.objects.filter(name="verification_code").update(sender="Bawaba")
    assert [code_by(channel).sender for channel in ("sms", "voice", "whatsapp")] == ["Bawaba", "", ""]


def test_naming_the_templates_own_channel_or_none_is_an_ordinary_sms(outbox_lines):
    assert code_by("sms").channel == Channel.SMS
    assert code_by("").channel == Channel.SMS
    assert [line["channel"] for line in outbox_lines()] == ["sms", "sms"]


# -- the same checks as an SMS ------------------------------------------------------------------------


@pytest.mark.parametrize("channel", ["voice", "whatsapp"])
@pytest.mark.parametrize(
    ("to", "iraqi_only", "code"),
    [
        ("12", False, "invalid_phone"),
        ("+447911123456", True, "not_iraqi_mobile"),
        ("+964 1 234 5678", False, "invalid_phone"),
    ],
)
def test_the_recipient_rules_are_the_same_as_for_sms(channel, to, iraqi_only, code):
    with pytest.raises(ValidationFailed) as raised:
        send("verification_code", to=to, values=CODE, channel=channel, iraqi_mobile_only=iraqi_only)
    assert raised.value.code == code
    assert not Message.objects.exists()


@pytest.mark.parametrize("channel", ["voice", "whatsapp"])
def test_missing_values_are_refused_as_for_sms(channel):
    with pytest.raises(ValidationFailed) as raised:
        send("verification_code", to=NUMBER, values={"code": "1"}, channel=channel)
    assert (raised.value.code, set(raised.value.fields)) == ("missing_values", {"minutes"})
    assert not Message.objects.exists()


@pytest.mark.parametrize("channel", ["voice", "whatsapp"])
def test_a_channel_nobody_carries_is_refused_and_nothing_is_stored(sms_only, channel):
    assert not channel_available(channel)
    with pytest.raises(ValidationFailed) as raised:
        code_by(channel)
    assert raised.value.code == "channel_unavailable"
    assert not Message.objects.exists()


@pytest.mark.parametrize(
    ("template", "to", "channel"),
    [
        ("case_update", "citizen@example.iq", "voice"),  # an e-mail cannot be read out
        ("case_update", "citizen@example.iq", "sms"),
        ("verification_code", NUMBER, "email"),
        ("verification_code", NUMBER, "push"),
        ("verification_code", NUMBER, "fax"),
    ],
)
def test_only_an_sms_template_may_go_another_way_and_only_by_voice_or_whatsapp(email_template, template, to, channel):
    with pytest.raises(ValidationFailed) as raised:
        send(template, to=to, values={**CODE, "state": "x"}, channel=channel)
    assert raised.value.code == "channel_unavailable"
    assert not Message.objects.exists()


# -- what the accounts app asks -----------------------------------------------------------------------


def test_by_default_the_outbox_carries_every_channel():
    assert all(channel_available(channel) for channel in ("sms", "voice", "whatsapp", "email", "push"))
    assert provider_count("voice") == 1
    assert not channel_available("sms_other")


def test_channel_availability_and_provider_count_follow_the_configuration(settings, tmp_path):
    settings.BAWABA_NOTIFY_PROVIDERS = [
        {"name": "a", "kind": "outbox", "channels": ["sms", "voice"], "options": {"path": str(tmp_path / "a")}},
        {"name": "b", "kind": "outbox", "channels": ["sms"], "weight": 0, "options": {"path": str(tmp_path / "b")}},
    ]
    assert [provider_count(channel) for channel in ("sms", "voice", "whatsapp")] == [2, 1, 0]
    assert [channel_available(channel) for channel in ("sms", "voice", "whatsapp")] == [True, True, False]


@pytest.mark.parametrize(
    ("channel", "label"),
    [("sms", "Sent to your mobile operator"), ("voice", "Calling your phone"), ("whatsapp", "Sent to WhatsApp")],
)
def test_the_public_status_speaks_of_the_channel_used(channel, label):
    with translation.override("en"):
        status = public_status(code_by(channel).pk)
    assert status is not None
    assert (status.code, status.label, status.status) == ("sent", label, Status.SENT)


def test_a_voice_call_that_failed_is_told_as_such():
    message = code_by("voice")
    Message.objects.filter(pk=message.pk).update(status=Status.FAILED)
    with translation.override("en"):
        status = public_status(message.pk)
    assert status is not None
    assert (status.code, status.label) == ("not_delivered", "The call did not get through")
    assert public_status("not-a-message-id") is None


# -- which kinds carry which channels ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "channels", "options"),
    [
        ("smpp", ["voice"], {"host": "127.0.0.1", "system_id": "b", "password": "p"}),
        ("smpp", ["sms", "whatsapp"], {"host": "127.0.0.1", "system_id": "b", "password": "p"}),
        ("smtp", ["sms"], {}),
        ("http", ["email"], {"url": "https://gw.example.iq"}),
        ("http", ["push"], {"url": "https://gw.example.iq"}),
    ],
)
def test_a_provider_cannot_be_given_a_channel_its_kind_cannot_carry(settings, kind, channels, options):
    settings.BAWABA_NOTIFY_PROVIDERS = [{"name": "p", "kind": kind, "channels": channels, "options": options}]
    with pytest.raises(ImproperlyConfigured, match="cannot carry"):
        provider_configs()
    [error] = check_providers()
    assert error.id == "notifications.E001"


@pytest.mark.parametrize("channels", [["sms", "voice", "whatsapp"], ["voice"], ["whatsapp"]])
def test_an_http_gateway_may_carry_sms_voice_and_whatsapp(settings, channels):
    settings.BAWABA_NOTIFY_PROVIDERS = [
        {"name": "p", "kind": "http", "channels": channels, "options": {"url": "https://gw.example.iq"}}
    ]
    [config] = provider_configs()
    assert config.channels == tuple(channels)
