"""People whose only second factor is SMS codes can still confirm it is them: the page sends a code."""

import pytest
from django_otp.plugins.otp_static.models import StaticDevice

from bawaba.accounts.second_factor.services import SMS_DEVICE_NAME
from tests.accounts.conftest import CITIZEN_PASSWORD
from tests.accounts.sessions.conftest import CONFIRM_URL, PASSWORD_URL, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def sms_only(browser, citizen, builtin_templates):
    StaticDevice.objects.create(user=citizen, name=SMS_DEVICE_NAME, confirmed=True)
    return sign_in(browser(), citizen)


def test_the_page_offers_a_code_by_sms(sms_only):
    page = sms_only.get(f"{CONFIRM_URL}?next={PASSWORD_URL}").content.decode()

    assert 'name="send_sms"' in page
    assert 'name="code"' in page


def test_a_code_by_sms_confirms_it_is_you(sms_only, citizen, outbox):
    sent = sms_only.post(CONFIRM_URL, {"send_sms": "1", "next": PASSWORD_URL})
    assert sent.status_code == 200
    assert "We sent a code by SMS" in sent.content.decode()

    code = outbox.last_code(to=citizen.phone)
    confirmed = sms_only.post(CONFIRM_URL, {"password": CITIZEN_PASSWORD, "code": code, "next": PASSWORD_URL})

    assert confirmed.status_code == 302
    assert confirmed["Location"] == PASSWORD_URL
    assert sms_only.get(PASSWORD_URL).status_code == 200


def test_a_wrong_sms_code_does_not_confirm(sms_only, citizen, outbox):
    sms_only.post(CONFIRM_URL, {"send_sms": "1", "next": PASSWORD_URL})
    code = outbox.last_code(to=citizen.phone)
    wrong = "000000" if code != "000000" else "111111"

    refused = sms_only.post(CONFIRM_URL, {"password": CITIZEN_PASSWORD, "code": wrong, "next": PASSWORD_URL})

    assert refused.status_code == 200
    assert sms_only.get(PASSWORD_URL)["Location"].startswith(CONFIRM_URL)


def test_people_without_sms_codes_are_not_offered_one(browser, citizen):
    page = sign_in(browser(), citizen).get(CONFIRM_URL).content.decode()

    assert 'name="send_sms"' not in page
