import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_operators_test_message_goes_out_and_says_where(outbox_lines, capsys):
    call_command("send_test_message", "--to", "0750 123 4567", "--label", "node-1")
    out = capsys.readouterr().out
    assert "accepted by outbox" in out
    [line] = outbox_lines()
    assert "node-1" in line["body"]


def test_a_bad_number_is_a_clear_error():
    with translation.override("en"), pytest.raises(CommandError, match="mobile phone number"):
        call_command("send_test_message", "--to", "123")


def test_the_test_message_can_be_a_voice_call(outbox_lines, capsys):
    call_command("send_test_message", "--to", "0750 123 4567", "--label", "node-1", "--channel", "voice")
    assert "(voice)" in capsys.readouterr().out
    [line] = outbox_lines()
    assert line["channel"] == "voice"


def test_a_channel_without_a_provider_is_a_clear_error(settings):
    settings.BAWABA_NOTIFY_PROVIDERS = [{"name": "outbox", "kind": "outbox", "channels": ["sms"]}]
    with translation.override("en"), pytest.raises(CommandError, match="cannot be sent yet"):
        call_command("send_test_message", "--to", "0750 123 4567", "--channel", "whatsapp")
