"""Voice calls and WhatsApp in the admin: the dashboard, the message log and the template editor."""

import datetime as dt
import re

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from bawaba.accounts.models import User
from bawaba.notifications.constants import Status
from bawaba.notifications.models import Message, MessageTemplate
from tests.notifications.staff import log_in

pytestmark = pytest.mark.django_db

NOW = timezone.now()


def admin_url(name, *args):
    with translation.override("en"):
        return reverse(f"admin:notifications_{name}", args=args)


def staff_client(username, *codenames):
    user = User.objects.create_user(username=username, password=None, is_staff=True)
    for codename in codenames:
        user.user_permissions.add(Permission.objects.get(content_type__app_label="notifications", codename=codename))
    return log_in(Client(), user)


@pytest.fixture(autouse=True)
def _providers(settings, tmp_path):
    settings.BAWABA_NOTIFY_PROVIDERS = [
        {"name": "zain-http", "kind": "outbox", "channels": ["sms", "whatsapp"], "options": {"path": str(tmp_path)}},
        {"name": "calls", "kind": "outbox", "channels": ["voice"], "options": {"path": str(tmp_path)}},
    ]


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


# -- the dashboard --------------------------------------------------------------------------------------


def test_the_dashboard_names_each_providers_channels_and_who_carries_each_channel():
    page = staff_client("operator", "view_providerstate").get(admin_url("providerstate_changelist"))
    assert page.status_code == 200
    text = text_of(page.content.decode())
    assert "Channels SMS, WhatsApp" in text
    assert "Channels Voice call" in text
    for row in (
        "SMS zain-http",
        "E-mail None: not available",
        "Push notification None: not available",
        "Voice call calls",
        "WhatsApp zain-http",
    ):
        assert row in text


def test_the_dashboards_channel_list_is_closed_like_the_dashboard():
    page = staff_client("clerk").get(admin_url("providerstate_changelist"))
    assert page.status_code == 403
    assert b"None: not available" not in page.content


# -- the message log ------------------------------------------------------------------------------------


def stored(channel, **fields):
    values = {
        "template": MessageTemplate.objects.get(name="verification_code"),
        "channel": channel,
        "recipient": "+9647701234567",
        "operator": "asiacell",
        "language": "en",
        "body": "Your Bawaba code is 4, 8, 2, 9, 1, 3.",
        "template_values": {"code": "482913", "minutes": "5"},
        "status": Status.CREATED,
        "created_at": NOW - dt.timedelta(minutes=1),
    }
    values.update(fields)
    return Message.objects.create(**values)


@pytest.fixture
def support():
    return staff_client("support", "view_message")


def test_the_message_list_filters_by_the_new_channels(support):
    call, whatsapp, sms = stored("voice"), stored("whatsapp"), stored("sms", template_values={})
    url = admin_url("message_changelist")
    page = support.get(url)
    assert "?channel__exact=voice" in page.content.decode()
    assert "?channel__exact=whatsapp" in page.content.decode()
    for channel, expected in (("voice", call), ("whatsapp", whatsapp), ("sms", sms)):
        response = support.get(url, {"channel__exact": channel})
        assert [row.pk for row in response.context["cl"].result_list] == [expected.pk]


def test_a_message_shows_the_providers_it_avoided_and_never_its_values(support):
    resent = stored("voice", avoid_providers=["asiacell-smpp", "zain-http"])
    page = support.get(admin_url("message_change", resent.pk)).content.decode()
    assert "asiacell-smpp, zain-http" in text_of(page)
    assert "Voice call" in page
    assert "482913" not in page
    assert "4, 8, 2" not in page  # a secret's text is not shown, read out or not


def test_the_values_cannot_be_used_as_a_filter_either(support):
    stored("whatsapp")
    response = support.get(admin_url("message_changelist"), {"template_values__code__startswith": "4"})
    assert response.status_code in (302, 400)  # the admin's answer to a lookup it does not allow
    assert "482913" not in response.content.decode()


# -- the template editor --------------------------------------------------------------------------------


@pytest.fixture
def editor():
    return staff_client("editor", "view_messagetemplate", "change_messagetemplate", "add_messagetemplate")


def template(channel):
    return MessageTemplate.objects.create(
        name=f"notice_{channel}", channel=channel, body_ar="موعدك ((date)).", body_en="Your appointment: ((date))."
    )


@pytest.mark.parametrize(("channel", "shown"), [("sms", True), ("whatsapp", True), ("voice", False), ("email", False)])
def test_the_sms_length_is_shown_for_sms_and_whatsapp_only(editor, channel, shown):
    page = editor.get(admin_url("messagetemplate_change", template(channel).pk)).content.decode()
    assert ('data-sms-for="id_body_ar">' in page) is shown
    assert ('data-sms-for="id_body_ar" hidden' in page) is not shown
    listing = editor.get(admin_url("messagetemplate_changelist")).content.decode()
    cells = re.findall(r'<td class="field-sms_length">(.*?)</td>', listing)
    assert ("UCS-2" in cells[0]) is shown


def test_figures_follow_the_channel_posted_when_the_form_comes_back(editor):
    notice = template("voice")
    data = {"name": notice.name, "channel": "whatsapp", "body_ar": "موعدك ((date))", "body_en": "Bad ((date)"}
    response = editor.post(admin_url("messagetemplate_change", notice.pk), data)
    assert response.status_code == 200  # refused: a value written wrongly
    assert 'data-sms-for="id_body_ar">' in response.content.decode()


def test_the_editor_says_which_channels_are_counted(editor):
    page = editor.get(admin_url("messagetemplate_add")).content.decode()
    assert 'data-channels="[&quot;sms&quot;, &quot;whatsapp&quot;]"' in page
    assert "Voice call texts are read out" in page
    assert '<option value="voice">Voice call</option>' in page
    assert '<option value="whatsapp">WhatsApp</option>' in page
