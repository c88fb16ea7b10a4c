"""Changing the password: only after confirming it is you, checked, this session kept, the others ended, SMS sent."""

import pytest
from django.test import Client

from bawaba.accounts.constants import AccountEventKind
from bawaba.accounts.models import AccountEvent, AccountSession, User
from bawaba.notifications.models import Message
from tests.accounts.conftest import CITIZEN_PASSWORD
from tests.accounts.sessions.conftest import (
    PASSWORD_URL,
    WINDOWS_FIREFOX,
    confirm_password,
    is_signed_in,
    sign_in,
)

NEW_PASSWORD = "tea with cardamom at dawn"


def change_password(client: Client, new: str = NEW_PASSWORD, again: str | None = None):
    return client.post(PASSWORD_URL, {"new_password": new, "new_password_again": new if again is None else again})


@pytest.fixture
def phone_and_laptop(browser, citizen):
    phone = sign_in(browser(), citizen)
    laptop = sign_in(browser(user_agent=WINDOWS_FIREFOX), citizen)
    confirm_password(phone)
    return phone, laptop


@pytest.mark.django_db
def test_the_form_asks_only_for_the_new_password_after_confirming(phone_and_laptop):
    page = phone_and_laptop[0].get(PASSWORD_URL).content.decode()

    assert page.count('autocomplete="new-password"') == 2
    assert "current-password" not in page


@pytest.mark.django_db
def test_changing_the_password_keeps_this_session_and_ends_the_others(phone_and_laptop, citizen):
    phone, laptop = phone_and_laptop
    laptop_key = laptop.session.session_key

    response = change_password(phone)

    assert (response.status_code, response["Location"]) == (302, "/en/account/password/done/")
    citizen.refresh_from_db()
    assert citizen.check_password(NEW_PASSWORD)
    assert is_signed_in(phone)
    assert not is_signed_in(laptop)
    assert AccountSession.objects.get(session_key=laptop_key).end_reason == "password_changed"
    mine = AccountSession.objects.get(user=citizen, ended_at__isnull=True)
    assert mine.session_key == phone.session.session_key
    event = AccountEvent.objects.get(user=citizen, kind=AccountEventKind.PASSWORD_CHANGED)
    assert event.data == {"sessions_ended": 1}
    message = Message.objects.get(template__name="password_changed")
    assert (message.recipient, message.language) == (citizen.phone, "ar")
    assert "Your password is changed" in phone.get(response["Location"]).content.decode()


@pytest.mark.parametrize(
    ("new", "again", "field", "error"),
    [
        (NEW_PASSWORD, "tea with cardamom at dusk", "new_password_again", "The two passwords are not the same."),
        # The validators' own words belong to the sign-in part of the app; any refusal will do here.
        ("short", None, "new_password", ""),
        ("password123", None, "new_password", ""),
        ("07701234567", None, "new_password", ""),
    ],
)
@pytest.mark.django_db
def test_a_refused_password_changes_nothing(phone_and_laptop, citizen, new, again, field, error):
    phone, laptop = phone_and_laptop

    response = change_password(phone, new, again)

    assert response.status_code == 200
    assert [message for message in response.context["form"].errors[field] if message.startswith(error)]
    assert 'value="' + new + '"' not in response.content.decode()
    assert User.objects.get(pk=citizen.pk).check_password(CITIZEN_PASSWORD)
    assert is_signed_in(laptop)
    assert not Message.objects.filter(template__name="password_changed").exists()
    assert not AccountEvent.objects.filter(kind=AccountEventKind.PASSWORD_CHANGED).exists()


@pytest.mark.django_db
def test_without_confirming_nothing_changes(browser, citizen):
    phone = sign_in(browser(), citizen)

    response = change_password(phone)

    assert response.status_code == 302
    assert response["Location"].startswith("/en/account/confirm/")
    assert User.objects.get(pk=citizen.pk).check_password(CITIZEN_PASSWORD)


@pytest.mark.django_db(transaction=True)
def test_the_sms_reaches_the_phone(builtin_templates, outbox, browser, citizen):
    phone = sign_in(browser(), citizen)
    confirm_password(phone)

    change_password(phone)

    [sms] = outbox.lines(to=citizen.phone)
    assert sms["body"] == "تم تغيير كلمة مرور حسابك في بوابة. إن لم تفعل ذلك فاستعد حسابك فوراً."
