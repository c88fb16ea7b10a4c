"""Signing in with a second factor: the password alone never makes a session; then a code, once."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import Client, RequestFactory
from django_otp import DEVICE_ID_SESSION_KEY

from bawaba.accounts.constants import AccountEventKind
from bawaba.accounts.models import AccountEvent
from bawaba.accounts.second_factor.services import second_factor_verify
from bawaba.accounts.signin.device_cookies import COOKIE_NAME
from bawaba.accounts.signin.errors import SecondFactorRequired
from bawaba.accounts.signin.services import sign_in_complete
from tests.accounts.conftest import CITIZEN_PASSWORD
from tests.accounts.second_factor.conftest import totp_code

CODE_URL = "/en/account/sign-in/code/"


def _password_step(client: Client, *, next_url: str = "") -> None:
    response = client.post(
        "/en/account/sign-in/", {"phone": "07701234567", "password": CITIZEN_PASSWORD, "next": next_url}
    )
    assert response.status_code == 302
    assert response["Location"] == CODE_URL


def _events(user, kind: str) -> list[dict]:
    return [event.data for event in AccountEvent.objects.filter(user=user, kind=kind).order_by("id")]


def test_the_right_password_alone_does_not_sign_in(client, citizen, authenticator):
    _password_step(client)
    assert "_auth_user_id" not in client.session
    assert _events(citizen, AccountEventKind.SIGNED_IN) == []
    assert COOKIE_NAME not in client.cookies
    account = client.get("/en/account/")
    assert account.status_code == 302
    assert account["Location"].startswith("/en/account/sign-in/")
    page = client.get(CODE_URL)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'autocomplete="one-time-code"' in html
    assert 'inputmode="numeric"' in html


def test_the_code_from_the_app_signs_in_with_a_verified_session(client, citizen, authenticator):
    _password_step(client, next_url="/en/services/")
    response = client.post(CODE_URL, {"code": totp_code(authenticator)})
    assert response.status_code == 302
    assert response["Location"] == "/en/services/"
    assert client.session["_auth_user_id"] == str(citizen.pk)
    assert client.session[DEVICE_ID_SESSION_KEY] == authenticator.persistent_id
    assert _events(citizen, AccountEventKind.SIGNED_IN) == [{"with_second_factor": True}]
    assert COOKIE_NAME in response.cookies
    # The next request knows the second factor was passed (django-otp's is_verified).
    page = client.get("/en/account/security/")
    assert page.wsgi_request.user.is_verified() is True


def test_a_code_is_accepted_only_once(citizen, authenticator):
    code = totp_code(authenticator)
    first = Client()
    _password_step(first)
    assert first.post(CODE_URL, {"code": code}).status_code == 302
    second = Client()
    _password_step(second)
    assert second.post(CODE_URL, {"code": code}).status_code == 400
    assert "_auth_user_id" not in second.session


def test_a_recovery_code_signs_in_once_in_any_writing(citizen, authenticator, recovery_codes):
    code = recovery_codes[3]
    typed = "-".join(code[index : index + 4] for index in range(0, 16, 4)).translate(
        str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
    )
    client = Client()
    _password_step(client)
    response = client.post(CODE_URL, {"code": typed})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(citizen.pk)
    assert _events(citizen, AccountEventKind.RECOVERY_CODE_USED) == [{"codes_left": 9}]
    assert "You used a recovery code. You have 9 left." in client.get("/en/account/security/").content.decode()
    again = Client()
    _password_step(again)
    assert again.post(CODE_URL, {"code": code}).status_code == 400
    assert "_auth_user_id" not in again.session


def test_recovery_codes_are_stored_hashed(citizen, recovery_codes):
    from django_otp.plugins.otp_static.models import StaticToken

    stored = set(StaticToken.objects.filter(device__user=citizen).values_list("token", flat=True))
    assert len(stored) == 10
    assert stored.isdisjoint(recovery_codes)
    assert all(len(token) == 16 for token in stored)


def test_a_wrong_code_says_so_and_keeps_the_step(client, citizen, authenticator, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    _password_step(client)
    wrong = "000000" if totp_code(authenticator) != "000000" else "111111"
    response = client.post(CODE_URL, {"code": wrong})
    assert response.status_code == 400
    assert "That code is not right." in response.content.decode()
    assert _events(citizen, AccountEventKind.SIGN_IN_FAILED) == [{"step": "second_factor"}]
    assert client.post(CODE_URL, {"code": totp_code(authenticator)}).status_code == 302


def test_five_wrong_codes_end_the_step(client, citizen, authenticator, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    _password_step(client)
    statuses = [client.post(CODE_URL, {"code": f"12345{index}"}).status_code for index in range(5)]
    assert statuses == [400, 400, 400, 400, 302]
    page = client.get("/en/account/sign-in/")
    assert "Please sign in again." in page.content.decode()
    assert client.get(CODE_URL)["Location"] == "/en/account/sign-in/"


def test_wrong_codes_across_sign_ins_make_the_account_wait(client, citizen, authenticator, settings, clock):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    _password_step(client)
    for index in range(5):
        client.post(CODE_URL, {"code": f"12345{index}"})
    _password_step(client)
    response = client.post(CODE_URL, {"code": totp_code(authenticator)})
    assert response.status_code == 429
    assert "Please wait 1 minute, then try again." in response.content.decode()
    clock.advance(seconds=60)
    assert client.post(CODE_URL, {"code": totp_code(authenticator)}).status_code == 302


def test_django_otp_throttling_is_shown_as_a_wait(client, citizen, authenticator, clock):
    _password_step(client)
    assert (
        client.post(CODE_URL, {"code": "000001" if totp_code(authenticator) != "000001" else "000002"}).status_code
        == 400
    )
    response = client.post(CODE_URL, {"code": totp_code(authenticator)})
    assert response.status_code == 429
    clock.advance(seconds=2)
    assert client.post(CODE_URL, {"code": totp_code(authenticator)}).status_code == 302


def test_the_step_expires_after_five_minutes(client, citizen, authenticator, clock):
    _password_step(client)
    clock.advance(minutes=5, seconds=1)
    response = client.post(CODE_URL, {"code": totp_code(authenticator)})
    assert response.status_code == 302
    assert response["Location"] == "/en/account/sign-in/"
    assert "_auth_user_id" not in client.session


def test_the_code_page_without_a_password_first_sends_to_sign_in(client, citizen, authenticator):
    assert client.get(CODE_URL)["Location"] == "/en/account/sign-in/"
    response = client.post(CODE_URL, {"code": totp_code(authenticator)})
    assert response["Location"] == "/en/account/sign-in/"
    assert "_auth_user_id" not in client.session


def test_the_code_step_needs_the_csrf_token(citizen, authenticator):
    from django.conf import settings as django_settings

    client = Client(enforce_csrf_checks=True)
    token = client.get("/en/account/sign-in/").cookies[django_settings.CSRF_COOKIE_NAME].value
    client.post(
        "/en/account/sign-in/", {"phone": "07701234567", "password": CITIZEN_PASSWORD, "csrfmiddlewaretoken": token}
    )
    assert client.post(CODE_URL, {"code": totp_code(authenticator)}).status_code == 403
    assert "_auth_user_id" not in client.session


def _request():
    from django.contrib.sessions.backends.db import SessionStore

    request = RequestFactory().get("/")
    request.session = SessionStore()
    request.user = AnonymousUser()
    return request


def test_no_flow_can_sign_in_a_person_with_a_second_factor_without_it(citizen, authenticator):
    request = _request()
    with pytest.raises(SecondFactorRequired):
        sign_in_complete(request, user=citizen)
    assert "_auth_user_id" not in request.session
    assert _events(citizen, AccountEventKind.SIGNED_IN) == []


def test_another_flow_checks_the_code_then_signs_in_verified(citizen, authenticator):
    request = _request()
    assert second_factor_verify(user=citizen, token=totp_code(authenticator)) is True
    sign_in_complete(request, user=citizen, with_second_factor=True)
    assert request.session["_auth_user_id"] == str(citizen.pk)
    assert request.session[DEVICE_ID_SESSION_KEY] == authenticator.persistent_id
    assert request.user.is_verified() is True
