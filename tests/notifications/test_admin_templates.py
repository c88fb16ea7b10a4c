"""Message templates in the admin: SMS length per language, the rules a template keeps, and its history."""

import re

import pytest
from django.contrib.auth.models import Permission
from django.contrib.staticfiles import finders
from django.test import Client
from django.urls import reverse
from django.utils import translation
from reversion.models import Version

from bawaba.accounts.models import User
from bawaba.notifications.models import MessageTemplate
from bawaba.notifications.rendering import LANGUAGES
from tests.notifications.staff import log_in

pytestmark = pytest.mark.django_db


def admin_url(name, *args):
    with translation.override("en"):
        return reverse(f"admin:notifications_messagetemplate_{name}", args=args)


def make_staff(username, *codenames):
    user = User.objects.create_user(username=username, password=None, is_staff=True)
    for codename in codenames:
        user.user_permissions.add(Permission.objects.get(content_type__app_label="notifications", codename=codename))
    return user


@pytest.fixture
def editor():
    client = Client()
    log_in(
        client,
        make_staff(
            "editor",
            "view_messagetemplate",
            "change_messagetemplate",
            "add_messagetemplate",
            "delete_messagetemplate",
        ),
    )
    return client


@pytest.fixture
def reminder():
    return MessageTemplate.objects.create(
        name="appointment_reminder",
        channel="sms",
        body_ar="موعدك ((date)) في ((time)).",
        body_ckb="کاتی چاوپێکەوتنت ((date)) لە ((time)).",
        body_en="Your appointment is on ((date)) at ((time)).",
    )


def form_data(template, **changes):
    data = {
        "name": template.name,
        "channel": template.channel,
        "description": template.description,
        "sender": template.sender,
    }
    if template.sensitive:
        data["sensitive"] = "on"
    for language in LANGUAGES:
        data[f"subject_{language}"] = getattr(template, f"subject_{language}")
        data[f"body_{language}"] = getattr(template, f"body_{language}")
    data.update(changes)
    return data


def errors_of(response):
    return {name: [str(e) for e in errors] for name, errors in response.context["adminform"].form.errors.items()}


# Who may edit.


@pytest.mark.parametrize("role", ["anonymous", "staff"])
def test_templates_are_closed_to_those_without_permission(role, reminder):
    client = Client()
    if role == "staff":
        log_in(client, make_staff("clerk"))
    before = MessageTemplate.objects.get(pk=reminder.pk).body_ar
    for response in (
        client.get(admin_url("changelist")),
        client.get(admin_url("change", reminder.pk)),
        client.post(admin_url("change", reminder.pk), form_data(reminder, body_ar="تغيير ((date)) ((time))")),
    ):
        assert response.status_code == (302 if role == "anonymous" else 403)
    assert MessageTemplate.objects.get(pk=reminder.pk).body_ar == before


def test_view_only_staff_cannot_change_a_template(reminder):
    client = Client()
    log_in(client, make_staff("reader", "view_messagetemplate"))
    assert client.get(admin_url("change", reminder.pk)).status_code == 200
    response = client.post(admin_url("change", reminder.pk), form_data(reminder, body_ar="تغيير ((date)) ((time))"))
    assert response.status_code == 403
    assert MessageTemplate.objects.get(pk=reminder.pk).body_ar == reminder.body_ar


# SMS length.


def test_list_shows_encoding_characters_and_parts_per_language(editor):
    page = editor.get(admin_url("changelist")).content.decode()
    # "رمز بوابة: ((code)). صالح ((minutes)) دقائق. لا تعطه لأحد." with a 6-digit code and 2-digit minutes.
    assert 'title="Arabic">ar</abbr>: 1 part (UCS-2, 47 characters)' in page
    assert 'title="English">en</abbr>: 1 part (GSM-7, 69 characters)' in page


def test_change_form_shows_the_figures_without_javascript(editor):
    template = MessageTemplate.objects.get(name="verification_code")
    page = editor.get(admin_url("change", template.pk)).content.decode()
    arabic = re.search(r'data-sms-for="id_body_ar".*?</span></span>', page, re.S).group(0)
    assert 'data-figure="encoding">UCS-2<' in arabic
    assert 'data-figure="units">47<' in arabic
    assert 'data-figure="parts">1<' in arabic
    assert 'data-figure="remaining">23<' in arabic
    english = re.search(r'data-sms-for="id_body_en".*?</span></span>', page, re.S).group(0)
    assert 'data-figure="encoding">GSM-7<' in english
    # The page says how values are counted.
    assert '<code dir="ltr">((code))</code> 6' in page
    assert '<code dir="ltr">((name))</code> 30' in page
    # The live update is a static file: no inline script under the Content Security Policy.
    assert "notifications/template_length.js" in page
    for tag in re.findall(r"<script[^>]*>", page):
        assert "src=" in tag or 'type="application/json"' in tag, tag


def test_the_script_is_served_from_static():
    assert finders.find("notifications/template_length.js")
    response = Client().get("/static/notifications/template_length.js")
    assert response.status_code == 200


def test_figures_follow_what_was_posted_when_the_form_is_shown_again(editor, reminder):
    long_kurdish = "کاتی چاوپێکەوتنت ((date)) لە ((time)). " * 6
    response = editor.post(
        admin_url("change", reminder.pk), form_data(reminder, body_ckb=long_kurdish, body_en="Missing values")
    )
    assert response.status_code == 200  # refused: English lacks the values
    kurdish = re.search(r'data-sms-for="id_body_ckb".*?</span></span>', response.content.decode(), re.S).group(0)
    assert 'data-figure="parts">4<' in kurdish
    assert "More than 2 parts" in kurdish
    assert 'data-figure="warning" hidden' not in kurdish


def test_figures_are_hidden_for_e_mail_templates(editor, email_template):
    page = editor.get(admin_url("change", email_template.pk)).content.decode()
    assert 'data-sms-for="id_body_ar" hidden' in page


def test_the_add_form_shows_figures_before_a_channel_is_chosen(editor):
    page = editor.get(admin_url("add")).content.decode()
    assert 'data-sms-for="id_body_ar">' in page


# Validation.


def test_a_value_missing_in_one_language_is_refused_naming_the_language(editor, reminder):
    response = editor.post(
        admin_url("change", reminder.pk), form_data(reminder, body_ckb="کاتی چاوپێکەوتنت لە ((time)).")
    )
    assert response.status_code == 200
    errors = errors_of(response)
    assert list(errors) == ["body_ckb"]
    assert "Kurdish (Sorani)" in errors["body_ckb"][0]
    assert "((date))" in errors["body_ckb"][0]
    assert MessageTemplate.objects.get(pk=reminder.pk).body_ckb == reminder.body_ckb


def test_a_value_used_only_in_one_language_is_missing_in_the_others(editor, reminder):
    response = editor.post(
        admin_url("change", reminder.pk), form_data(reminder, body_en="On ((date)) at ((time)), bring ((document)).")
    )
    assert set(errors_of(response)) == {"body_ar", "body_ckb"}


def test_a_language_without_text_is_not_checked(editor, reminder):
    response = editor.post(admin_url("change", reminder.pk), form_data(reminder, body_ckb=""))
    assert response.status_code == 302
    assert MessageTemplate.objects.get(pk=reminder.pk).body_ckb == ""


@pytest.mark.parametrize(
    "text",
    ["Your appointment is on ((date) at ((time)).", "On ((date)) at (( time of day )).", "((1st)) ((date)) ((time))"],
)
def test_badly_written_values_are_refused(editor, reminder, text):
    response = editor.post(admin_url("change", reminder.pk), form_data(reminder, body_en=text))
    errors = errors_of(response)
    assert "body_en" in errors
    assert "((name))" in errors["body_en"][0]


def test_a_value_in_parentheses_is_well_written(editor):
    template = MessageTemplate.objects.get(name="provider_test")  # "... (((provider)))."
    response = editor.post(admin_url("change", template.pk), form_data(template, description="Checked"))
    assert response.status_code == 302


def test_only_e_mails_have_a_subject(editor, reminder, email_template):
    response = editor.post(admin_url("change", reminder.pk), form_data(reminder, subject_en="Reminder"))
    assert list(errors_of(response)) == ["subject_en"]
    response = editor.post(admin_url("change", email_template.pk), form_data(email_template, subject_en="New subject"))
    assert response.status_code == 302


def test_subject_values_must_match_too(editor, email_template):
    response = editor.post(
        admin_url("change", email_template.pk), form_data(email_template, subject_en="Update on your request")
    )
    assert response.status_code == 302  # ((code)) is still in the English text
    response = editor.post(
        admin_url("change", email_template.pk),
        form_data(email_template, subject_en="Update ((reference))", body_en="Your request ((code)) is: ((state))."),
    )
    assert set(errors_of(response)) == {"body_ar"}


def test_a_long_sms_is_saved_with_a_warning(editor, reminder):
    long_arabic = " ".join(["موعدك ((date)) في ((time)). احضر مبكرا وأحضر هويتك وجميع الوثائق المطلوبة للمعاملة."] * 3)
    response = editor.post(admin_url("change", reminder.pk), form_data(reminder, body_ar=long_arabic), follow=True)
    assert MessageTemplate.objects.get(pk=reminder.pk).body_ar == long_arabic
    warnings = [str(m) for m in response.context["messages"] if m.level_tag == "warning"]
    assert len(warnings) == 1
    assert "Arabic" in warnings[0]
    assert "4 SMS parts" in warnings[0]


def test_line_breaks_are_saved_as_one_character(editor, reminder):
    editor.post(admin_url("change", reminder.pk), form_data(reminder, body_en="On ((date))\r\nat ((time))."))
    assert MessageTemplate.objects.get(pk=reminder.pk).body_en == "On ((date))\nat ((time))."


# Built-in templates.


def test_a_built_in_template_keeps_its_name_channel_and_secrecy(editor):
    template = MessageTemplate.objects.get(name="verification_code")
    page = editor.get(admin_url("change", template.pk)).content.decode()
    assert 'name="name"' not in page
    assert 'name="channel"' not in page
    data = form_data(template, name="renamed", channel="email", body_en="Code ((code)), ((minutes)) minutes.")
    del data["sensitive"]  # an unticked box is not posted
    response = editor.post(admin_url("change", template.pk), data)
    assert response.status_code == 302
    template.refresh_from_db()
    assert (template.name, template.channel, template.sensitive) == ("verification_code", "sms", True)
    assert template.body_en == "Code ((code)), ((minutes)) minutes."


def test_a_built_in_template_cannot_be_deleted(editor):
    template = MessageTemplate.objects.get(name="verification_code")
    assert editor.get(admin_url("delete", template.pk)).status_code == 403
    assert editor.post(admin_url("delete", template.pk), {"post": "yes"}).status_code == 403
    response = editor.post(
        admin_url("changelist"), {"action": "delete_selected", "_selected_action": [template.pk], "post": "yes"}
    )
    assert response.status_code == 403
    assert MessageTemplate.objects.filter(name="verification_code").exists()


def test_other_templates_can_be_renamed_and_deleted(editor, reminder):
    response = editor.post(admin_url("change", reminder.pk), form_data(reminder, name="visit_reminder"))
    assert response.status_code == 302
    assert MessageTemplate.objects.get(pk=reminder.pk).name == "visit_reminder"
    assert editor.post(admin_url("delete", reminder.pk), {"post": "yes"}).status_code == 302
    assert not MessageTemplate.objects.filter(pk=reminder.pk).exists()


# History.


def test_every_edit_is_kept_and_can_be_reverted(editor, reminder):
    editor.post(admin_url("change", reminder.pk), form_data(reminder, body_en="First edit ((date)) ((time))."))
    editor.post(admin_url("change", reminder.pk), form_data(reminder, body_en="Second edit ((date)) ((time))."))
    versions = Version.objects.get_for_object(reminder)
    assert [v.field_dict["body_en"] for v in versions] == [
        "Second edit ((date)) ((time)).",
        "First edit ((date)) ((time)).",
    ]
    first = versions[1]
    history = editor.get(admin_url("history", reminder.pk))
    assert history.status_code == 200
    revision_url = admin_url("revision", reminder.pk, first.pk)
    page = editor.get(revision_url)
    assert page.status_code == 200
    assert "First edit" in page.content.decode()
    assert 'data-default-length="20"' in page.content.decode()  # the figures update while reverting too
    response = editor.post(revision_url, form_data(reminder, body_en="First edit ((date)) ((time))."))
    assert response.status_code == 302
    assert MessageTemplate.objects.get(pk=reminder.pk).body_en == "First edit ((date)) ((time))."
    assert Version.objects.get_for_object(reminder).count() == 3  # the revert is kept too
