"""Account recovery: pages end to end, and the service's rules (the 15-minute window, once only, second factor)."""

import datetime as dt
import re
import time

import pytest
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from bawaba.accounts.constants import AccountEventKind, VerificationPurpose
from bawaba.accounts.errors import TooManyAttempts, VerificationNotFound
from bawaba.accounts.models import AccountEvent, AccountSession, PhoneVerification, User
from bawaba.accounts.recovery.services import (
    SecondFactorInvalid,
    SecondFactorRequired,
    recovery_password_set,
    recovery_start,
    recovery_verify,
)
from bawaba.accounts.second_factor.services import recovery_codes_create
from bawaba.accounts.signup.services import NextStep, signup_start
from tests.accounts.conftest import CITIZEN_PASSWORD, NEW_NUMBER

pytestmark = pytest.mark.django_db(transaction=True)

RECOVER = "/en/account/recover/"
VERIFY = "/en/account/verify/"
PASSWORD_PAGE = "/en/account/recover/password/"
SIGNUP = "/en/account/sign-up/"
HOME = "/en/account/"
NEW_PASSWORD = "a kite over Mosul bridge"
ADDRESS = "198.51.100.7"


def text(response):
    return re.sub(r"\s+", " ", response.content.decode())


def totp_now(device):
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    return f"{totp.token():06d}"


def recover_by_page(client, outbox, phone):
    response = client.post(RECOVER, {"phone": phone})
    assert response["Location"] == VERIFY
    return client.post(VERIFY, {"code": outbox.last_code()})


# pages


def test_forgot_password_code_new_password_signed_in_and_every_other_session_ended(client, citizen, outbox):
    elsewhere = Client()
    elsewhere.force_login(citizen)
    assert client.get(RECOVER).status_code == 200
    response = recover_by_page(client, outbox, "0770 123 4567")
    assert response["Location"] == PASSWORD_PAGE
    page = text(client.get(PASSWORD_PAGE))
    assert "<h1>Choose a new password</h1>" in page
    assert 'autocomplete="new-password"' in page
    assert "second_factor_code" not in page
    response = client.post(PASSWORD_PAGE, {"password": NEW_PASSWORD})
    assert response["Location"] == HOME
    citizen.refresh_from_db()
    assert citizen.check_password(NEW_PASSWORD)
    assert client.session[SESSION_KEY] == str(citizen.pk)
    assert SESSION_KEY not in elsewhere.session  # the other browser was signed out
    assert AccountEvent.objects.filter(user=citizen, kind=AccountEventKind.RECOVERED).count() == 1
    assert [line["template"] for line in outbox.lines(citizen.phone)] == ["verification_code", "password_changed"]
    assert outbox.lines(citizen.phone)[1]["body"] == (
        "تم تغيير كلمة مرور حسابك في بوابة. إن لم تفعل ذلك فاستعد حسابك فوراً."  # the citizen reads Arabic
    )
    assert "bawaba_verification" not in client.session


def test_the_password_page_needs_a_proved_ticket(client, citizen, outbox):
    assert client.get(PASSWORD_PAGE)["Location"] == RECOVER
    client.post(RECOVER, {"phone": citizen.phone})
    assert client.get(PASSWORD_PAGE)["Location"] == RECOVER
    response = client.post(PASSWORD_PAGE, {"password": NEW_PASSWORD})
    assert response["Location"] == RECOVER
    citizen.refresh_from_db()
    assert citizen.check_password(CITIZEN_PASSWORD)


def test_a_number_without_an_account_gets_the_same_page_a_code_and_then_the_offer_to_sign_up(
    client, citizen, outbox, clock
):
    known, unknown = Client(), Client()
    first = known.post(RECOVER, {"phone": citizen.phone})
    second = unknown.post(RECOVER, {"phone": NEW_NUMBER})
    assert (first.status_code, first["Location"]) == (second.status_code, second["Location"])

    def comparable(page):
        page = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page)
        return re.sub(r"\+964 7\d\d ••• \d{4}", "NUMBER", page)

    assert comparable(text(known.get(VERIFY))) == comparable(text(unknown.get(VERIFY)))
    assert len(outbox.codes(NEW_NUMBER)) == 1
    response = unknown.post(VERIFY, {"code": outbox.last_code(NEW_NUMBER)})
    assert response["Location"] == PASSWORD_PAGE
    page = text(unknown.get(PASSWORD_PAGE))
    assert "<h1>There is no account with this number</h1>" in page
    assert f'href="{SIGNUP}"' in page
    assert f'value="{NEW_NUMBER}"' in text(unknown.get(SIGNUP))  # the proved number, ready to use
    assert User.objects.count() == 1


def test_recovery_with_an_authenticator_asks_for_its_code_too(client, citizen, outbox):
    device = TOTPDevice.objects.create(user=citizen, name="Authenticator app", confirmed=True)
    recover_by_page(client, outbox, citizen.phone)
    page = text(client.get(PASSWORD_PAGE))
    assert 'name="second_factor_code"' in page
    response = client.post(PASSWORD_PAGE, {"password": NEW_PASSWORD})
    assert response.status_code == 400
    assert "Enter the code from your authenticator app, or a recovery code." in text(response)
    citizen.refresh_from_db()
    assert citizen.check_password(CITIZEN_PASSWORD)
    response = client.post(PASSWORD_PAGE, {"password": NEW_PASSWORD, "second_factor_code": totp_now(device)})
    assert response["Location"] == HOME
    citizen.refresh_from_db()
    assert citizen.check_password(NEW_PASSWORD)
    assert client.session[SESSION_KEY] == str(citizen.pk)


def test_recovery_with_a_recovery_code_instead_of_the_app(client, citizen, outbox):
    TOTPDevice.objects.create(user=citizen, name="Authenticator app", confirmed=True)
    [code, *_others] = recovery_codes_create(user=citizen)
    recover_by_page(client, outbox, citizen.phone)
    response = client.post(PASSWORD_PAGE, {"password": NEW_PASSWORD, "second_factor_code": code})
    assert response["Location"] == HOME
    citizen.refresh_from_db()
    assert citizen.check_password(NEW_PASSWORD)


def test_the_new_password_is_checked_and_never_shown_back(client, citizen, outbox):
    recover_by_page(client, outbox, citizen.phone)
    response = client.post(PASSWORD_PAGE, {"password": "12345678"})
    assert response.status_code == 400
    page = text(response)
    assert "Many people use this password, so it is easy to guess. Choose another one." in page
    assert "12345678" not in page
    citizen.refresh_from_db()
    assert citizen.check_password(CITIZEN_PASSWORD)


def test_an_unverified_account_is_verified_by_recovery(client, outbox):
    signup_start(
        phone=NEW_NUMBER,
        full_name="Ali Kareem",
        password="green tea at the souq",
        language="en",
        client_address=ADDRESS,
    )
    client.post(RECOVER, {"phone": NEW_NUMBER})
    # The sign-up's code and the recovery's are different verifications: use the recovery's (the latest).
    assert client.post(VERIFY, {"code": outbox.last_code()})["Location"] == PASSWORD_PAGE
    client.post(PASSWORD_PAGE, {"password": NEW_PASSWORD})
    user = User.objects.get()
    assert user.phone_verified_at is not None
    assert user.check_password(NEW_PASSWORD)


# the service's rules, with time passed in


@pytest.fixture
def t0():
    return timezone.now().replace(microsecond=0)


def proved_recovery(outbox, phone, now):
    started = recovery_start(phone=phone, language="en", client_address=ADDRESS, now=now)
    proved = recovery_verify(ticket=started.ticket, code=outbox.last_code(), now=now + dt.timedelta(seconds=5))
    return started.ticket, proved


def test_a_proved_ticket_sets_the_password_within_15_minutes(citizen, outbox, t0):
    ticket, proved = proved_recovery(outbox, citizen.phone, t0)
    assert proved.next == NextStep.SET_PASSWORD
    with pytest.raises(VerificationNotFound):
        recovery_password_set(ticket=ticket, password=NEW_PASSWORD, now=t0 + dt.timedelta(seconds=5, minutes=15))
    citizen.refresh_from_db()
    assert citizen.check_password(CITIZEN_PASSWORD)


def test_a_proved_ticket_sets_the_password_once(citizen, outbox, t0):
    ticket, _proved = proved_recovery(outbox, citizen.phone, t0)
    recovery_password_set(ticket=ticket, password=NEW_PASSWORD, now=t0 + dt.timedelta(minutes=14))
    with pytest.raises(VerificationNotFound):
        recovery_password_set(ticket=ticket, password="yet another long phrase", now=t0 + dt.timedelta(minutes=14))
    citizen.refresh_from_db()
    assert citizen.check_password(NEW_PASSWORD)


def test_a_sign_up_ticket_cannot_set_a_password(citizen, outbox, t0):
    started = signup_start(
        phone=NEW_NUMBER, full_name="Ali", password="green tea at the souq", language="en", client_address=ADDRESS
    )
    with pytest.raises(VerificationNotFound):
        recovery_password_set(ticket=started.ticket, password=NEW_PASSWORD)


def test_wrong_second_factor_codes_count_like_wrong_sms_codes(citizen, outbox, t0, settings):
    settings.BAWABA_CODE_FREE_ATTEMPTS = 1
    settings.BAWABA_CODE_MAX_ATTEMPTS = 3
    device = TOTPDevice.objects.create(user=citizen, name="Authenticator app", confirmed=True)
    ticket, _proved = proved_recovery(outbox, citizen.phone, t0)
    with pytest.raises(SecondFactorRequired):
        recovery_password_set(ticket=ticket, password=NEW_PASSWORD, now=t0 + dt.timedelta(seconds=10))
    wrong = f"{(int(totp_now(device)) + 500000) % 10**6:06d}"
    with pytest.raises(SecondFactorInvalid) as first:
        recovery_password_set(
            ticket=ticket, password=NEW_PASSWORD, second_factor_code=wrong, now=t0 + dt.timedelta(seconds=20)
        )
    assert first.value.data == {"retry_after": 0, "attempts_left": 2}
    with pytest.raises(SecondFactorInvalid) as second:
        recovery_password_set(
            ticket=ticket, password=NEW_PASSWORD, second_factor_code=wrong, now=t0 + dt.timedelta(seconds=30)
        )
    assert second.value.data == {"retry_after": 30, "attempts_left": 1}
    with pytest.raises(TooManyAttempts):
        recovery_password_set(
            ticket=ticket, password=NEW_PASSWORD, second_factor_code=totp_now(device), now=t0 + dt.timedelta(seconds=40)
        )
    with pytest.raises(TooManyAttempts) as stopped:
        recovery_password_set(
            ticket=ticket, password=NEW_PASSWORD, second_factor_code=wrong, now=t0 + dt.timedelta(seconds=61)
        )
    assert stopped.value.data == {"retry_after": 86400}
    citizen.refresh_from_db()
    assert citizen.check_password(CITIZEN_PASSWORD)
    assert PhoneVerification.objects.get(purpose=VerificationPurpose.RECOVERY).failed_attempts == 3


def test_recovery_ends_every_session_of_the_account(citizen, outbox, t0):
    AccountSession.objects.create(user=citizen, session_key="a" * 32, last_seen_at=t0)
    ticket, _proved = proved_recovery(outbox, citizen.phone, t0)
    recovery_password_set(ticket=ticket, password=NEW_PASSWORD, now=t0 + dt.timedelta(minutes=1))
    assert AccountSession.objects.get().ended_at is not None
