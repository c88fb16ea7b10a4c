"""Voice-call and WhatsApp gateways as HTTP providers, each with its own request mapping, against real local gateways.

The gateways are tests/peers/http_gateway.py playing a voice-OTP API and WhatsApp Business's template
messages; receipts come back signed, as for SMS.
"""

import json

import pytest
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse

from bawaba.notifications import routing
from bawaba.notifications.constants import Channel, Outcome, ReceiptStatus, Status
from bawaba.notifications.models import Attempt, DeliveryReceipt, Message
from bawaba.notifications.providers.config import get_provider
from bawaba.notifications.services import send
from bawaba.notifications.sweeper import sweep
from tests.notifications.workers_harness import wait_until
from tests.peers.http_gateway import VOICE_OPTIONS, WHATSAPP_OPTIONS, provider_entry, sign

pytestmark = pytest.mark.django_db(transaction=True)

SECRET = "receipt-secret-for-tests-0123456789abcdef"
CODE = {"code": "482913", "minutes": 5}
NUMBER = "0770 123 4567"
SPOKEN_AR = "رمز بوابة: 4, 8, 2, 9, 1, 3. صالح 5 دقائق. لا تعطه لأحد."


@pytest.fixture(autouse=True)
def _embedded_and_clean_cache(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def lines(gateways, settings):
    """One gateway per channel, as an operator would set them up: SMS, voice and WhatsApp."""
    sms = gateways("sms-gw", secret=SECRET)
    voice = gateways("voice-gw", secret=SECRET, answer="voice")
    whatsapp = gateways("wa-gw", secret=SECRET, answer="whatsapp", reference_field="biz_opaque_callback_data")
    settings.BAWABA_NOTIFY_PROVIDERS = [
        provider_entry(sms, receipt_secret=SECRET),
        provider_entry(voice, channels=("voice",), base=VOICE_OPTIONS, sender="07800000000", receipt_secret=SECRET),
        provider_entry(whatsapp, channels=("whatsapp",), base=WHATSAPP_OPTIONS, receipt_secret=SECRET),
    ]
    return sms, voice, whatsapp


def code_by(channel, language="ar"):
    message = send("verification_code", to=NUMBER, values=CODE, priority="urgent", language=language, channel=channel)
    return Message.objects.get(pk=message.pk)


def test_a_voice_code_goes_to_the_voice_gateway_as_text_to_read_out(lines):
    sms, voice, whatsapp = lines
    message = code_by("voice")
    assert (message.status, message.channel, message.provider) == (Status.SENT, Channel.VOICE, "voice-gw")
    assert message.provider_reference == "voice-gw-1"
    [request] = voice.received
    assert request.document == {
        "type": "tts",
        "to": "+9647701234567",
        "text": f"{SPOKEN_AR}\n\n{SPOKEN_AR}",
        "caller_id": "07800000000",
        "client_ref": str(message.pk),
        "language": "ar-IQ",
    }
    assert request.headers["Idempotency-Key"] == str(message.pk)
    assert sms.received == whatsapp.received == []


def test_a_whatsapp_code_goes_as_the_approved_templates_parameters_never_as_our_text(lines):
    sms, voice, whatsapp = lines
    message = code_by("whatsapp", language="en")
    assert (message.status, message.channel, message.provider) == (Status.SENT, Channel.WHATSAPP, "wa-gw")
    assert message.provider_reference == "wa-gw-1"  # read from messages.0.id
    [request] = whatsapp.received
    assert request.document == {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "type": "template",
        "to": "9647701234567",
        "biz_opaque_callback_data": str(message.pk),
        "template": {
            "name": "bawaba_code",
            "language": {"policy": "deterministic", "code": "en_GB"},
            "components": [
                {"type": "body", "parameters": [{"type": "text", "text": "482913"}]},
                {"type": "button", "sub_type": "url", "index": "0", "parameters": [{"type": "text", "text": "482913"}]},
            ],
        },
    }
    assert sms.received == voice.received == []
    # The code was kept for the gateway and erased with the text once it was handed over.
    assert (message.redacted, message.body, message.template_values) == (True, "", {})


def test_an_sms_code_still_goes_to_the_sms_gateway_alone(lines):
    sms, voice, whatsapp = lines
    message = code_by(None)
    assert (message.channel, message.provider) == (Channel.SMS, "sms-gw")
    assert [request.reference for request in sms.received] == [str(message.pk)]
    assert voice.received == whatsapp.received == []


def test_the_extra_fields_of_one_message_never_leak_into_the_next(lines):
    _sms, _voice, whatsapp = lines
    code_by("whatsapp")
    send("verification_code", to=NUMBER, values={"code": "111111", "minutes": 5}, channel="whatsapp")
    first, second = (
        request.document["template"]["components"][0]["parameters"][0]["text"] for request in whatsapp.received
    )
    assert (first, second) == ("482913", "111111")


@pytest.mark.parametrize("channel", ["voice", "whatsapp"])
def test_a_signed_receipt_marks_a_call_or_whatsapp_message_delivered(client, lines, channel):
    message = code_by(channel)
    body = json.dumps({"message_id": message.provider_reference, "state": "DELIVRD"}).encode()
    response = client.post(
        reverse("notifications:http_receipt", args=[message.provider]),
        data=body,
        content_type="application/json",
        headers={"X-Bawaba-Signature": sign(SECRET, body)},
    )
    assert response.status_code == 204
    message.refresh_from_db()
    assert message.status == Status.DELIVERED
    receipt = DeliveryReceipt.objects.get()
    assert (receipt.provider, receipt.status, receipt.message_id) == (
        message.provider,
        ReceiptStatus.DELIVERED,
        message.pk,
    )


def test_the_gateway_posts_its_receipt_to_the_live_portal(lines, live_server):
    _sms, voice, _whatsapp = lines
    voice.receipts(to=live_server.url + reverse("notifications:http_receipt", args=["voice-gw"]), delay=0.1)
    message = code_by("voice")

    def delivered():
        sweep()  # a receipt that beat our own "sent" write waits for the sweeper
        return Message.objects.get(pk=message.pk).status == Status.DELIVERED

    wait_until(delivered, timeout=15, what="the call's receipt", every=0.1)
    # The gateway notes the portal's answer after reading it, a moment after the portal stored the receipt.
    wait_until(lambda: voice.receipts_posted, timeout=5, what="the gateway to note the portal's answer", every=0.05)
    assert voice.receipts_posted == [("voice-gw-1", "204")]


def test_calls_fail_over_between_voice_gateways_exactly_once(gateways, settings):
    first, second = gateways("call-a", answer="voice"), gateways("call-b", answer="voice")
    settings.BAWABA_NOTIFY_PROVIDERS = [
        provider_entry(first, channels=("voice",), base=VOICE_OPTIONS, weight=100),
        provider_entry(second, channels=("voice",), base=VOICE_OPTIONS, weight=0),
    ]
    first.refuse()
    message = code_by("voice")
    assert message.provider == "call-b"
    assert list(Attempt.objects.filter(message=message).values_list("provider", "outcome")) == [
        ("call-a", Outcome.FAILED),
        ("call-b", Outcome.ACCEPTED),
    ]
    assert [request.reference for request in second.accepted] == [str(message.pk)]


def test_a_message_without_the_value_a_gateway_needs_goes_to_another_provider(gateways, settings, outbox_lines):
    whatsapp = gateways("wa-gw", answer="whatsapp", reference_field="biz_opaque_callback_data")
    settings.BAWABA_NOTIFY_PROVIDERS = [
        provider_entry(whatsapp, channels=("whatsapp",), base=WHATSAPP_OPTIONS),
        {"name": "outbox", "kind": "outbox", "channels": ["whatsapp"], "weight": 0},
    ]
    # provider_test has no ((code)): the WhatsApp template cannot be filled, so nothing is sent to it.
    message = send("provider_test", to=NUMBER, values={"provider": "x"}, channel="whatsapp")
    assert whatsapp.received == []
    [(provider, outcome, error_code), accepted] = Attempt.objects.filter(message=message).values_list(
        "provider", "outcome", "error_code"
    )
    assert (provider, outcome, error_code) == ("wa-gw", Outcome.REJECTED, "missing_value")
    assert accepted == ("outbox", Outcome.ACCEPTED, "")
    assert [line["message_id"] for line in outbox_lines()] == [str(message.pk)]
    # The gateway is fine: the next code, which has its value, goes straight to it.
    assert routing.breaker.state("wa-gw") == routing.CLOSED
    assert code_by("whatsapp").provider == "wa-gw"


# -- configuration mistakes are refused before anything is sent -----------------------------------------


@pytest.mark.parametrize(
    ("channels", "options", "reason"),
    [
        (["sms", "whatsapp"], {"fields": {"values.code": "code"}}, "values.<name> fields need"),
        (["sms"], {"fields": {"values.code": "code"}}, "values.<name> fields need"),
        (["voice"], {"fields": {"text": "text"}}, "fields can map"),
        (["voice"], {"fields": {"language": 3}}, "a name, a list of names or null"),
        (["voice"], {"fields": {"language": ["lang", ""]}}, "a name, a list of names or null"),
        (["voice"], {"extra": {"call": "tts"}, "fields": {"body": "call.text"}}, "does not fit"),
        (["voice"], {"extra": {"parts": [{}]}, "fields": {"body": "parts.3.text"}}, "does not fit"),
        (["voice"], {"extra": {"parts": [{}]}, "fields": {"body": "parts.first.text"}}, "does not fit"),
    ],
)
def test_a_request_mapping_that_cannot_work_is_refused_with_its_reason(settings, channels, options, reason):
    settings.BAWABA_NOTIFY_PROVIDERS = [
        {"name": "gw", "kind": "http", "channels": channels, "options": {"url": "https://gw.example.iq", **options}}
    ]
    with pytest.raises(ImproperlyConfigured, match=reason):
        get_provider("gw")


def test_our_language_is_sent_as_is_where_the_gateway_gives_no_names(gateways, settings):
    voice = gateways("voice-gw", answer="voice")
    options = {key: value for key, value in VOICE_OPTIONS.items() if key != "languages"}
    settings.BAWABA_NOTIFY_PROVIDERS = [
        {**provider_entry(voice, channels=("voice",), base=options), "options": {**options, "url": voice.url}}
    ]
    code_by("voice", language="ckb")
    assert voice.received[0].document["language"] == "ckb"
