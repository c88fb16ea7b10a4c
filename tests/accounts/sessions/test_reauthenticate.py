"""Confirming it is you before a sensitive change: password (and second factor), throttled, safe `next`."""

import pytest
from django.conf import settings
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from bawaba.accounts.constants import AccountEventKind
from bawaba.accounts.models import AccountEvent, AccountSession
from bawaba.accounts.sessions.reauth import SESSION_KEY as AUTHENTICATED_AT
from tests.accounts.sessions.conftest import (
    CONFIRM_URL,
    PASSWORD_URL,
    confirm_password,
    sign_in,
    sign_in_url,
)

pytestmark = pytest.mark.django_db


def failures(user) -> int:
    return AccountEvent.objects.filter(user=user, kind=AccountEventKind.SIGN_IN_FAILED).count()


@pytest.fixture
def signed_in(browser, citizen):
    return sign_in(browser(), citizen)


@pytest.mark.parametrize("url", [PASSWORD_URL, "/en/account/phone/"])
def test_sensitive_pages_ask_to_confirm_it_is_you_first(signed_in, url):
    response = signed_in.get(url)

    assert response.status_code == 302
    assert response["Location"] == f"{CONFIRM_URL}?next={url.replace('/', '%2F')}"


@pytest.mark.parametrize("url", [PASSWORD_URL, "/en/account/phone/", CONFIRM_URL])
def test_anonymous_people_are_sent_to_sign_in(client, db, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(sign_in_url())


def test_the_confirm_page_asks_for_the_password_only_without_a_second_factor(signed_in):
    page = signed_in.get(f"{CONFIRM_URL}?next={PASSWORD_URL}").content.decode()

    assert 'autocomplete="current-password"' in page
    assert 'name="code"' not in page
    assert f'name="next" value="{PASSWORD_URL}"' in page


def test_the_right_password_confirms_and_goes_back(signed_in, citizen):
    key_before = signed_in.session.session_key

    response = confirm_password(signed_in)

    assert (response.status_code, response["Location"]) == (302, PASSWORD_URL)
    assert isinstance(signed_in.session[AUTHENTICATED_AT], int)
    # A new session key on re-authentication (ASVS 7.2.4), and the session's row follows it.
    assert signed_in.session.session_key != key_before
    assert AccountSession.objects.get(user=citizen).session_key == signed_in.session.session_key
    assert signed_in.get(PASSWORD_URL).status_code == 200


def test_a_wrong_password_is_refused_and_recorded(signed_in, citizen):
    response = confirm_password(signed_in, password="not my password")

    assert response.status_code == 200
    assert response.context["form"].errors == {"password": ["The password or the code is not right. Try again."]}
    assert AUTHENTICATED_AT not in signed_in.session
    event = AccountEvent.objects.get(user=citizen, kind=AccountEventKind.SIGN_IN_FAILED)
    assert event.data == {"step": "reauthenticate"}
    assert signed_in.get(PASSWORD_URL).status_code == 302
    assert 'value="not my password"' not in response.content.decode()


def test_wrong_passwords_are_throttled_even_before_the_right_one(signed_in, citizen):
    for _attempt in range(5):
        confirm_password(signed_in, password="guess")

    response = confirm_password(signed_in)

    assert response.status_code == 429
    assert response.context["form"].non_field_errors() == ["Too many wrong tries. Wait 15 minutes, then try again."]
    assert AUTHENTICATED_AT not in signed_in.session
    assert failures(citizen) == 5


def test_the_throttle_lifts_after_its_window(signed_in, citizen, clock):
    for _attempt in range(5):
        confirm_password(signed_in, password="guess")
    clock.advance(minutes=15, seconds=1)

    assert confirm_password(signed_in).status_code == 302


@pytest.mark.parametrize(
    "next_url",
    [
        "https://evil.example/",
        "//evil.example/account/",
        "/\\evil.example/",
        "\\\\evil.example",
        "javascript:alert(1)",
        "http://testserver/en/account/password/",
        " https://evil.example",
        "",
    ],
)
def test_next_never_leaves_the_site(signed_in, next_url):
    response = confirm_password(signed_in, next_url=next_url)

    assert response.status_code == 302
    assert response["Location"] == "/en/account/"


def test_the_confirmation_expires(signed_in, clock):
    confirm_password(signed_in)
    clock.advance(seconds=settings.BAWABA_REAUTH_SECONDS + 1)

    response = signed_in.get(PASSWORD_URL)

    assert response.status_code == 302
    assert response["Location"].startswith(CONFIRM_URL)


@pytest.fixture
def authenticator(citizen):
    return TOTPDevice.objects.create(user=citizen, name="Authenticator app", confirmed=True)


def current_code(device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def test_with_a_second_factor_the_code_is_asked_too(signed_in, citizen, authenticator, clock):
    page = signed_in.get(CONFIRM_URL).content.decode()
    assert 'autocomplete="one-time-code"' in page
    assert 'inputmode="numeric"' in page

    without_code = signed_in.post(CONFIRM_URL, {"password": "rain over Basra 1987", "next": PASSWORD_URL})
    assert without_code.status_code == 200
    assert "code" in without_code.context["form"].errors
    wrong_code = signed_in.post(CONFIRM_URL, {"password": "rain over Basra 1987", "code": "000000"})
    assert wrong_code.context["form"].errors == {"password": ["The password or the code is not right. Try again."]}
    assert failures(citizen) == 1
    assert 'value="000000"' not in wrong_code.content.decode()
    clock.advance(seconds=2)  # django-otp makes each device wait a little after a wrong code

    response = signed_in.post(
        CONFIRM_URL, {"password": "rain over Basra 1987", "code": current_code(authenticator), "next": PASSWORD_URL}
    )

    assert response["Location"] == PASSWORD_URL


def test_a_wrong_password_with_a_right_code_uses_nothing_up(signed_in, citizen, authenticator):
    code = current_code(authenticator)

    signed_in.post(CONFIRM_URL, {"password": "guess", "code": code})
    response = signed_in.post(CONFIRM_URL, {"password": "rain over Basra 1987", "code": code, "next": PASSWORD_URL})

    assert response["Location"] == PASSWORD_URL
