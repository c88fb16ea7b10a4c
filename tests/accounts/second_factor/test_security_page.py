"""The security page: turning the authenticator app on and off, recovery codes; all behind a recent sign-in."""

import re
from urllib.parse import unquote

import pytest
from django.test import Client
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from bawaba.accounts.constants import AccountEventKind
from bawaba.accounts.models import AccountEvent, AccountSession
from bawaba.accounts.second_factor.qr import secret_base32
from bawaba.accounts.second_factor.services import second_factor_verify, user_has_second_factor
from bawaba.accounts.sessions.reauth import SESSION_KEY as AUTHENTICATED_AT
from tests.accounts.conftest import CITIZEN_PASSWORD
from tests.accounts.second_factor.conftest import SECURITY_URL, totp_code

START_URL = SECURITY_URL + "authenticator/"
CONFIRM_URL = SECURITY_URL + "authenticator/confirm/"
REMOVE_URL = SECURITY_URL + "authenticator/remove/"
NEW_CODES_URL = SECURITY_URL + "recovery-codes/"
SMS_URLS = [SECURITY_URL + "sms/", SECURITY_URL + "sms/resend/", SECURITY_URL + "sms/remove/"]


def _kinds(user) -> list[str]:
    return list(AccountEvent.objects.filter(user=user).order_by("id").values_list("kind", flat=True))


def _make_stale(client: Client) -> None:
    session = client.session
    session[AUTHENTICATED_AT] = int(timezone.now().timestamp()) - 3600
    session.save()


def _enrol(client: Client) -> TOTPDevice:
    assert client.post(START_URL)["Location"] == CONFIRM_URL
    return TOTPDevice.objects.get(confirmed=False)


def test_the_page_needs_a_signed_in_person(client, db):
    response = client.get(SECURITY_URL)
    assert response.status_code == 302
    assert unquote(response["Location"]) == "/en/account/sign-in/?next=/en/account/security/"


@pytest.mark.parametrize("url", [SECURITY_URL, CONFIRM_URL, SECURITY_URL + "sms/confirm/"])
def test_the_pages_need_a_recent_sign_in(signed_in, url):
    _make_stale(signed_in)
    response = signed_in.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/en/account/confirm/?next=")


@pytest.mark.parametrize("url", [START_URL, REMOVE_URL, NEW_CODES_URL, *SMS_URLS])
def test_changes_need_a_recent_sign_in_and_change_nothing_without(signed_in, citizen, authenticator, url):
    _make_stale(signed_in)
    events_before = _kinds(citizen)
    response = signed_in.post(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/en/account/confirm/?next=")
    assert list(TOTPDevice.objects.filter(user=citizen).values_list("pk", "confirmed")) == [(authenticator.pk, True)]
    assert StaticDevice.objects.filter(user=citizen).count() == 0
    assert _kinds(citizen) == events_before


@pytest.mark.parametrize("url", [START_URL, REMOVE_URL, NEW_CODES_URL, *SMS_URLS])
def test_changes_are_post_only(signed_in, url):
    assert signed_in.get(url).status_code == 405


def test_the_page_offers_the_app_first(signed_in):
    html = signed_in.get(SECURITY_URL).content.decode()
    assert "<h1>Sign-in security</h1>" in html
    assert html.index("Authenticator app") < html.index("Set up the app")
    assert "Recovery codes" not in html  # they come with a second factor


def test_setting_up_the_app_shows_a_qr_code_and_the_key_in_groups(signed_in, citizen):
    device = _enrol(signed_in)
    assert device.user == citizen
    assert user_has_second_factor(citizen) is False  # not before the first code
    page = signed_in.get(CONFIRM_URL)
    assert page.status_code == 200
    assert page["Cache-Control"].startswith("max-age=0")
    html = page.content.decode()
    assert re.search(r'<svg role="img" focusable="false" width="\d+" height="\d+" class="segno"><title>', html)
    secret = secret_base32(device)
    groups = " ".join(secret[index : index + 4] for index in range(0, 32, 4))
    assert len(secret) == 32
    assert f'<p class="secret" id="secret">{groups}</p>' in html
    assert 'autocomplete="one-time-code"' in html
    assert "<img" not in html.split("<main")[1]  # made on the server, inline: no request, no third party


def test_starting_again_makes_a_new_secret(signed_in, citizen):
    first = _enrol(signed_in)
    second = _enrol(signed_in)
    assert first.pk != second.pk
    assert list(TOTPDevice.objects.filter(user=citizen).values_list("pk", flat=True)) == [second.pk]


def test_a_wrong_first_code_turns_nothing_on(signed_in, citizen, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    device = _enrol(signed_in)
    wrong = "000000" if totp_code(device) != "000000" else "111111"
    response = signed_in.post(CONFIRM_URL, {"code": wrong})
    assert response.status_code == 400
    assert "That code is not right." in response.content.decode()
    device.refresh_from_db()
    assert device.confirmed is False
    assert user_has_second_factor(citizen) is False
    assert AccountEvent.objects.filter(user=citizen, kind=AccountEventKind.SECOND_FACTOR_ADDED).count() == 0


def test_the_first_code_turns_the_app_on_and_shows_ten_recovery_codes_once(signed_in, citizen):
    device = _enrol(signed_in)
    response = signed_in.post(CONFIRM_URL, {"code": totp_code(device)})
    assert response.status_code == 200
    html = response.content.decode()
    codes = re.findall(r"<li>(\d{4} \d{4} \d{4} \d{4})</li>", html)
    assert len(codes) == 10
    assert len(set(codes)) == 10
    download = re.search(r'href="data:text/plain;charset=utf-8,([^"]+)" download="bawaba-recovery-codes.txt"', html)
    assert unquote(download[1]).splitlines()[1:] == codes
    device.refresh_from_db()
    assert device.confirmed is True
    assert user_has_second_factor(citizen) is True
    assert _kinds(citizen)[-2:] == [AccountEventKind.SECOND_FACTOR_ADDED, AccountEventKind.RECOVERY_CODES_CREATED]
    # This session has just passed the new factor.
    assert signed_in.get(SECURITY_URL).wsgi_request.user.is_verified() is True
    # Never shown again: the page shows how many are left, not the codes.
    page = signed_in.get(SECURITY_URL).content.decode()
    assert "You have 10 unused recovery codes." in page
    assert codes[0] not in page
    assert signed_in.get(CONFIRM_URL)["Location"] == SECURITY_URL
    # And each works.
    assert second_factor_verify(user=citizen, token=codes[0]) is True


def test_turning_the_app_on_signs_out_the_other_sessions(signed_in, citizen):
    other = Client()
    other.post("/en/account/sign-in/", {"phone": "07701234567", "password": CITIZEN_PASSWORD})
    other_key = other.session.session_key
    device = _enrol(signed_in)
    signed_in.post(CONFIRM_URL, {"code": totp_code(device)})
    assert AccountSession.objects.get(session_key=other_key).ended_at is not None
    assert other.get("/en/account/").status_code == 302  # signed out there
    assert signed_in.get("/en/account/").status_code == 200


def test_setting_up_a_second_app_is_refused(signed_in, citizen, authenticator):
    response = signed_in.post(START_URL)
    assert response["Location"] == SECURITY_URL
    assert list(TOTPDevice.objects.filter(user=citizen).values_list("pk", flat=True)) == [authenticator.pk]


def test_nobody_sees_another_persons_unfinished_set_up(signed_in, other_citizen):
    TOTPDevice.objects.create(user=other_citizen, name="Authenticator app", confirmed=False)
    assert signed_in.get(CONFIRM_URL)["Location"] == SECURITY_URL


def test_new_recovery_codes_replace_the_old_ones(signed_in, citizen, recovery_codes):
    response = signed_in.post(NEW_CODES_URL)
    assert response.status_code == 200
    new_codes = re.findall(r"<li>(\d{4} \d{4} \d{4} \d{4})</li>", response.content.decode())
    assert len(new_codes) == 10
    assert StaticToken.objects.filter(device__user=citizen).count() == 10
    assert _kinds(citizen)[-1] == AccountEventKind.RECOVERY_CODES_CREATED
    assert second_factor_verify(user=citizen, token=new_codes[0]) is True
    assert second_factor_verify(user=citizen, token=recovery_codes[0]) is False


def test_no_recovery_codes_without_a_second_factor(signed_in, citizen):
    response = signed_in.post(NEW_CODES_URL)
    assert response["Location"] == SECURITY_URL
    assert StaticDevice.objects.filter(user=citizen).count() == 0


def test_turning_the_app_off_removes_the_recovery_codes_too(signed_in, citizen, recovery_codes):
    response = signed_in.post(REMOVE_URL)
    assert response["Location"] == SECURITY_URL
    assert TOTPDevice.objects.filter(user=citizen).count() == 0
    assert StaticDevice.objects.filter(user=citizen).count() == 0
    assert user_has_second_factor(citizen) is False
    event = AccountEvent.objects.filter(user=citizen).order_by("id").last()
    assert (event.kind, event.data) == (AccountEventKind.SECOND_FACTOR_REMOVED, {"factor": "authenticator"})
    assert "The authenticator app is off." in signed_in.get(SECURITY_URL).content.decode()


def test_security_changes_need_the_csrf_token(citizen, authenticator):
    from django.conf import settings

    client = Client(enforce_csrf_checks=True)
    token = client.get("/en/account/sign-in/").cookies[settings.CSRF_COOKIE_NAME].value
    client.post(
        "/en/account/sign-in/", {"phone": "07701234567", "password": CITIZEN_PASSWORD, "csrfmiddlewaretoken": token}
    )
    for url in (START_URL, REMOVE_URL, NEW_CODES_URL, *SMS_URLS):
        assert client.post(url).status_code == 403
    assert TOTPDevice.objects.filter(user=citizen).count() == 1
