"""SMS codes as a second factor: offered after the app and labelled weaker, sent and checked by the
verification engine (purpose second_factor), bound to the person and to the step they were sent for."""

import re

import pytest
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_static.models import StaticDevice

from bawaba.accounts.constants import AccountEventKind, VerificationPurpose
from bawaba.accounts.models import AccountEvent, PhoneVerification, VerificationCode
from bawaba.accounts.second_factor.services import SMS_DEVICE_NAME, user_has_second_factor
from bawaba.accounts.verification.services import verification_start
from tests.accounts.conftest import CITIZEN_PASSWORD
from tests.accounts.second_factor.conftest import SECURITY_URL, totp_code

CODE_URL = "/en/account/sign-in/code/"


@pytest.fixture
def next_code(monkeypatch):
    """The digits the next SMS code will have (the engine's generator, made predictable)."""

    class NextCode:
        value = "482913"

    monkeypatch.setattr("bawaba.accounts.verification.services.code_generate", lambda: NextCode.value)
    return NextCode


@pytest.fixture
def sms_factor(citizen):
    return StaticDevice.objects.create(user=citizen, name=SMS_DEVICE_NAME, confirmed=True)


def _codes_sent(user) -> int:
    return VerificationCode.objects.filter(
        verification__user=user, verification__purpose=VerificationPurpose.SECOND_FACTOR
    ).count()


def _kinds(user) -> list[str]:
    return list(AccountEvent.objects.filter(user=user).order_by("id").values_list("kind", flat=True))


def test_the_page_offers_sms_after_the_app_and_says_it_is_weaker(signed_in):
    html = signed_in.get(SECURITY_URL).content.decode()
    assert html.index("Authenticator app") < html.index("Codes by SMS")
    assert "Less safe than the app" in html
    assert "Use codes by SMS" in html


def test_turning_sms_codes_on_with_the_code_sent(signed_in, citizen, next_code):
    response = signed_in.post(SECURITY_URL + "sms/")
    assert response["Location"] == SECURITY_URL + "sms/confirm/"
    assert _codes_sent(citizen) == 1
    page = signed_in.get(SECURITY_URL + "sms/confirm/").content.decode()
    assert '<span dir="ltr">+964 770 ••• 4567</span>' in page
    assert user_has_second_factor(citizen) is False
    response = signed_in.post(SECURITY_URL + "sms/confirm/", {"code": "482 913"})
    assert response.status_code == 200
    assert len(re.findall(r"<li>(\d{4} \d{4} \d{4} \d{4})</li>", response.content.decode())) == 10
    assert StaticDevice.objects.filter(user=citizen, name=SMS_DEVICE_NAME, confirmed=True).count() == 1
    assert user_has_second_factor(citizen) is True
    assert _kinds(citizen)[-2:] == [AccountEventKind.SECOND_FACTOR_ADDED, AccountEventKind.RECOVERY_CODES_CREATED]
    assert AccountEvent.objects.get(user=citizen, kind=AccountEventKind.SECOND_FACTOR_ADDED).data == {"factor": "sms"}
    assert "On. Codes go to" in signed_in.get(SECURITY_URL).content.decode()


def test_a_wrong_sms_code_turns_nothing_on(signed_in, citizen, next_code):
    signed_in.post(SECURITY_URL + "sms/")
    response = signed_in.post(SECURITY_URL + "sms/confirm/", {"code": "111111"})
    assert response.status_code == 400
    assert "That code is not right." in response.content.decode()
    assert user_has_second_factor(citizen) is False


def test_someone_elses_code_turns_nothing_on(signed_in, citizen, other_citizen, next_code):
    """A ticket of another person's verification, slipped into this session, proves nothing here."""
    started = verification_start(
        purpose=VerificationPurpose.SECOND_FACTOR,
        phone=other_citizen.phone,
        user=other_citizen,
        client_address="127.0.0.1",
        language="ar",
    )
    session = signed_in.session
    session["bawaba_sms_factor_ticket"] = started.ticket
    session.save()
    response = signed_in.post(SECURITY_URL + "sms/confirm/", {"code": "482913"})
    assert response["Location"] == SECURITY_URL
    assert user_has_second_factor(citizen) is False
    assert user_has_second_factor(other_citizen) is False
    assert PhoneVerification.objects.get(pk=started.verification.pk).status == "pending"


def test_sign_in_with_sms_only_sends_the_code_at_once(citizen, sms_factor, next_code):
    client = Client()
    response = client.post("/en/account/sign-in/", {"phone": "07701234567", "password": CITIZEN_PASSWORD})
    assert response["Location"] == CODE_URL
    assert _codes_sent(citizen) == 1
    assert "_auth_user_id" not in client.session
    page = client.get(CODE_URL).content.decode()
    assert "We sent a code by SMS." in page
    assert 'Enter the 6-digit code we sent by SMS to <span dir="ltr">+964 770 ••• 4567</span>.' in page
    response = client.post(CODE_URL, {"code": "٤٨٢٩١٣"})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(citizen.pk)
    assert client.session[DEVICE_ID_SESSION_KEY] == sms_factor.persistent_id
    assert AccountEvent.objects.get(user=citizen, kind=AccountEventKind.SIGNED_IN).data == {"with_second_factor": True}
    assert "recovery code" not in client.get("/en/account/security/").content.decode().split("<main")[1].split("<h2")[0]


def test_a_wrong_sms_code_does_not_sign_in(citizen, sms_factor, next_code):
    client = Client()
    client.post("/en/account/sign-in/", {"phone": "07701234567", "password": CITIZEN_PASSWORD})
    response = client.post(CODE_URL, {"code": "111111"})
    assert response.status_code == 400
    assert "That code is not right." in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert PhoneVerification.objects.get(user=citizen, purpose=VerificationPurpose.SECOND_FACTOR).failed_attempts == 1


def test_an_sms_code_works_for_its_own_sign_in_only(citizen, sms_factor, next_code):
    first = Client()
    first.post("/en/account/sign-in/", {"phone": "07701234567", "password": CITIZEN_PASSWORD})
    assert first.post(CODE_URL, {"code": "482913"}).status_code == 302
    next_code.value = "730115"
    second = Client()
    second.post("/en/account/sign-in/", {"phone": "07701234567", "password": CITIZEN_PASSWORD})
    assert second.post(CODE_URL, {"code": "482913"}).status_code == 400
    assert second.post(CODE_URL, {"code": "730115"}).status_code == 302


def test_with_the_app_too_sms_is_only_sent_when_asked(citizen, authenticator, sms_factor, next_code):
    client = Client()
    client.post("/en/account/sign-in/", {"phone": "07701234567", "password": CITIZEN_PASSWORD})
    assert _codes_sent(citizen) == 0
    page = client.get(CODE_URL).content.decode()
    assert "Open your authenticator app" in page
    assert "Send me a code by SMS instead" in page
    response = client.post(CODE_URL + "sms/")
    assert response["Location"] == CODE_URL
    assert _codes_sent(citizen) == 1
    assert client.post(CODE_URL, {"code": "482913"}).status_code == 302


def test_with_the_app_too_the_app_code_still_works_after_an_sms(citizen, authenticator, sms_factor, next_code):
    client = Client()
    client.post("/en/account/sign-in/", {"phone": "07701234567", "password": CITIZEN_PASSWORD})
    client.post(CODE_URL + "sms/")
    assert client.post(CODE_URL, {"code": totp_code(authenticator)}).status_code == 302
    assert client.session[DEVICE_ID_SESSION_KEY] == authenticator.persistent_id


def test_asking_again_too_soon_says_when(citizen, sms_factor, next_code):
    client = Client()
    client.post("/en/account/sign-in/", {"phone": "07701234567", "password": CITIZEN_PASSWORD})
    response = client.post(CODE_URL + "sms/", follow=True)
    assert _codes_sent(citizen) == 1
    assert "A new code can be sent a little later. You can ask again in 1 minute." in response.content.decode()


def test_asking_for_an_sms_needs_the_password_first(client, citizen, sms_factor, next_code):
    response = client.post(CODE_URL + "sms/")
    assert response["Location"] == "/en/account/sign-in/"
    assert _codes_sent(citizen) == 0


def test_no_sms_for_a_person_without_sms_codes(client, citizen, authenticator, next_code):
    client.post("/en/account/sign-in/", {"phone": "07701234567", "password": CITIZEN_PASSWORD})
    response = client.post(CODE_URL + "sms/")
    assert response["Location"] == "/en/account/sign-in/"
    assert _codes_sent(citizen) == 0


def test_turning_sms_codes_off(signed_in, citizen, sms_factor):
    response = signed_in.post(SECURITY_URL + "sms/remove/")
    assert response["Location"] == SECURITY_URL
    assert StaticDevice.objects.filter(user=citizen).count() == 0
    assert AccountEvent.objects.filter(user=citizen).order_by("id").last().data == {"factor": "sms"}
    assert "SMS codes are off. You now sign in with your password only." in signed_in.get(SECURITY_URL).content.decode()


def test_turning_sms_off_keeps_the_app_and_its_recovery_codes(signed_in, citizen, authenticator, sms_factor):
    from bawaba.accounts.second_factor.services import recovery_codes_create, recovery_codes_left

    recovery_codes_create(user=citizen)
    signed_in.post(SECURITY_URL + "sms/remove/")
    assert recovery_codes_left(user=citizen) == 10
    assert user_has_second_factor(citizen) is True


def test_other_flows_can_check_an_sms_code_with_its_ticket(rf, citizen, sms_factor, next_code):
    """Re-authentication and recovery send a code with sms_code_send and pass its ticket to the check."""
    from django.contrib.sessions.backends.db import SessionStore

    from bawaba.accounts.second_factor.services import second_factor_verify, sms_code_send

    request = rf.post("/")
    request.session = SessionStore()
    started = sms_code_send(user=citizen, request=request)
    assert second_factor_verify(user=citizen, token="482913") is False  # no ticket: only app and recovery codes
    assert second_factor_verify(user=citizen, token="482913", sms_ticket=started.ticket) is True
    assert citizen.otp_device == sms_factor
    assert second_factor_verify(user=citizen, token="482913", sms_ticket=started.ticket) is False  # once
