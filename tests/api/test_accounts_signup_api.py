"""The accounts API for the mobile app: sign-up, verification, resend, verify, recovery. Shapes and error codes."""

import re
import time

import pytest
from django.contrib.auth import SESSION_KEY
from django.core.cache import cache
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from bawaba.accounts.constants import VerificationPurpose
from bawaba.accounts.models import AccountEvent, PhoneVerification, User, VerificationCode
from bawaba.notifications.models import Message
from tests.accounts.conftest import (  # noqa: F401 - fixtures
    CITIZEN_PASSWORD,
    NEW_NUMBER,
    builtin_templates,
    citizen,
    clock,
    outbox,
)

pytestmark = pytest.mark.django_db(transaction=True)

API = "/api/v1/accounts"
PASSWORD = "green tea at the souq"
NEW_PASSWORD = "a kite over Mosul bridge"
STATE_KEYS = {
    "phone_masked",
    "is_verified",
    "is_locked",
    "code_sent",
    "code_expires_in",
    "resend_in",
    "codes_left_this_hour",
    "attempts_wait",
    "delivery",
    "alternatives",
}


@pytest.fixture(autouse=True)
def _templates_and_a_fresh_cache(builtin_templates):  # noqa: F811
    cache.clear()
    yield
    cache.clear()


def post(client, path, body, **headers):
    return client.post(f"{API}{path}", body, content_type="application/json", headers=headers)


def sign_up(client, phone="0770 987 6543", name="Ali Kareem", password=PASSWORD, lang="en"):
    return post(client, "/signup", {"phone": phone, "full_name": name, "password": password, "lang": lang})


def wrong(code):
    return "000000" if code != "000000" else "111111"


def test_signup_answers_202_with_a_ticket_and_the_verification_state(client, outbox, clock):  # noqa: F811
    response = sign_up(client)
    assert response.status_code == 202
    body = response.json()
    assert set(body) == {"ticket", "verification"}
    assert len(body["ticket"]) == 43
    assert body["verification"] == {
        "phone_masked": "+964 770 ••• 6543",
        "is_verified": False,
        "is_locked": False,
        "code_sent": True,
        "code_expires_in": 300,
        "resend_in": 30,
        "codes_left_this_hour": 4,
        "attempts_wait": 0,
        "delivery": {
            "code": "sent",
            "label": "Sent to your mobile operator",
            "advice": "Your mobile operator has it. It should arrive soon.",
        },
        "alternatives": [],
    }
    assert outbox.lines()[0]["language"] == "en"
    assert User.objects.get().phone_verified_at is None


def test_a_registered_number_gets_exactly_the_same_answer(client, citizen, outbox, clock):  # noqa: F811
    new = sign_up(client, phone="0770 987 6543")
    registered = sign_up(client, phone="0770 123 4567")
    assert new.status_code == registered.status_code == 202
    assert set(new.json()) == set(registered.json())
    masked = re.compile(r"\+964 770 ••• \d{4}")
    same_new = {**new.json()["verification"], "phone_masked": "x"}
    same_registered = {**registered.json()["verification"], "phone_masked": "x"}
    assert masked.fullmatch(registered.json()["verification"]["phone_masked"])
    assert same_new == same_registered
    assert new.headers.keys() == registered.headers.keys()
    assert len(outbox.codes(NEW_NUMBER)) == len(outbox.codes(citizen.phone)) == 1
    citizen.refresh_from_db()
    assert citizen.check_password(CITIZEN_PASSWORD)


def test_the_state_comes_back_with_the_ticket_in_a_header_or_the_query(client, outbox, clock):  # noqa: F811
    ticket = sign_up(client).json()["ticket"]
    by_header = client.get(f"{API}/verification?lang=en", headers={"X-Verification-Ticket": ticket})
    by_query = client.get(f"{API}/verification", {"ticket": ticket, "lang": "en"})
    assert by_header.status_code == by_query.status_code == 200
    assert by_header.json() == by_query.json()
    assert set(by_header.json()) == STATE_KEYS


@pytest.mark.parametrize("headers", [{}, {"X-Verification-Ticket": "nonsense"}])
def test_no_ticket_or_an_unknown_one_is_not_found(client, headers):
    response = client.get(f"{API}/verification?lang=en", headers=headers)
    assert response.status_code == 404
    assert response.json() == {
        "code": "verification_not_found",
        "message": "This verification has ended. Enter your number again to continue.",
        "fields": {},
    }


def test_resend_too_soon_is_429_with_retry_after_then_a_late_code_verifies(client, outbox, clock):  # noqa: F811
    ticket = sign_up(client).json()["ticket"]
    first = outbox.last_code()
    clock.advance(seconds=10)
    response = post(client, "/verification/resend", {"ticket": ticket, "channel": "sms", "lang": "en"})
    assert response.status_code == 429
    assert response["Retry-After"] == "20"
    assert response.json()["code"] == "resend_not_yet"
    clock.advance(seconds=20)
    response = post(client, "/verification/resend", {"channel": "sms"}, X_Verification_Ticket=ticket)
    assert response.status_code == 200
    assert response.json()["resend_in"] == 60
    assert len(outbox.codes()) == 2
    clock.advance(seconds=100)
    response = post(client, "/verification/verify", {"code": first}, X_Verification_Ticket=ticket)
    assert response.status_code == 200
    assert response.json() == {"status": "verified", "next": "sign_in"}
    user = User.objects.get()
    assert user.phone_verified_at is not None
    assert user.check_password(PASSWORD)
    assert SESSION_KEY not in client.session  # the API signs nobody in: tokens come with OpenID Connect
    # The ticket is used up.
    again = post(client, "/verification/verify", {"ticket": ticket, "code": first})
    assert again.status_code == 404


def test_wrong_codes_are_400_then_429_with_retry_after(client, outbox):  # noqa: F811
    ticket = sign_up(client).json()["ticket"]
    bad = wrong(outbox.last_code())
    for _ in range(3):
        response = post(client, "/verification/verify", {"ticket": ticket, "code": bad, "lang": "en"})
        assert response.status_code == 400
        assert response.json() == {
            "code": "code_invalid",
            "message": "That code is not right. Check the latest SMS and try again.",
            "fields": {},
        }
    assert post(client, "/verification/verify", {"ticket": ticket, "code": bad}).status_code == 400
    response = post(client, "/verification/verify", {"ticket": ticket, "code": outbox.last_code()})
    assert response.status_code == 429
    assert response.json()["code"] == "too_many_attempts"
    assert 1 <= int(response["Retry-After"]) <= 30
    state = client.get(f"{API}/verification", headers={"X-Verification-Ticket": ticket}).json()
    assert 1 <= state["attempts_wait"] <= 30
    assert User.objects.get().phone_verified_at is None


def test_an_expired_code_is_code_expired(client, outbox, clock):  # noqa: F811
    ticket = sign_up(client).json()["ticket"]
    clock.advance(seconds=301)
    response = post(client, "/verification/verify", {"ticket": ticket, "code": outbox.last_code()})
    assert response.status_code == 400
    assert response.json()["code"] == "code_expired"


def test_the_hourly_cap_is_code_limit_reached(client, outbox, clock, settings):  # noqa: F811
    settings.BAWABA_CODES_PER_NUMBER_PER_HOUR = 1
    ticket = sign_up(client).json()["ticket"]
    clock.advance(seconds=60)
    response = post(client, "/verification/resend", {"ticket": ticket})
    assert response.status_code == 429
    assert response.json()["code"] == "code_limit_reached"
    assert response["Retry-After"] == "3540"


def test_a_channel_that_is_not_offered_is_refused(client, outbox, clock):  # noqa: F811
    ticket = sign_up(client).json()["ticket"]
    clock.advance(seconds=60)
    response = post(client, "/verification/resend", {"ticket": ticket, "channel": "voice"})
    assert response.status_code == 400
    assert response.json()["code"] == "channel_unavailable"
    assert VerificationCode.objects.count() == 1


def test_invalid_sign_up_names_every_wrong_field_in_the_language_asked(client):
    response = sign_up(client, phone="12", name="", password="12345678")
    assert response.status_code == 400
    assert response.json() == {
        "code": "invalid",
        "message": "Some of the values given are not valid.",
        "fields": {
            "phone": ["Enter a mobile number, for example 0770 123 4567."],
            "full_name": ["Enter your full name."],
            "password": ["Many people use this password, so it is easy to guess. Choose another one."],
        },
    }
    assert User.objects.count() == 0
    arabic = sign_up(client, phone="12", lang="ar")
    assert arabic.json()["message"] != "Some of the values given are not valid."


def test_a_body_that_is_not_json_gets_the_usual_error_shape(client):
    response = client.post(f"{API}/signup?lang=en", b"\x00{", content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {"code": "invalid", "message": "The request body must be a JSON object.", "fields": {}}


def test_a_missing_field_is_400_invalid(client):
    response = post(client, "/signup?lang=en", {"phone": "0770 987 6543"})
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert set(response.json()["fields"]) == {"full_name", "password"}


def test_sign_up_with_a_registered_number_then_the_code_says_set_password(client, citizen, outbox):  # noqa: F811
    ticket = sign_up(client, phone=citizen.phone).json()["ticket"]
    response = post(client, "/verification/verify", {"ticket": ticket, "code": outbox.last_code(citizen.phone)})
    assert response.json() == {"status": "verified", "next": "set_password"}
    response = post(client, "/recovery/password", {"ticket": ticket, "password": NEW_PASSWORD})
    assert response.status_code == 200
    assert response.json() == {"status": "password_set", "next": "sign_in"}
    citizen.refresh_from_db()
    assert citizen.check_password(NEW_PASSWORD)


def test_recovery_answers_the_same_for_a_number_without_an_account(client, citizen, outbox, clock):  # noqa: F811
    known = post(client, "/recovery", {"phone": citizen.phone, "lang": "en"})
    unknown = post(client, "/recovery", {"phone": NEW_NUMBER, "lang": "en"})
    assert known.status_code == unknown.status_code == 202
    assert {**known.json()["verification"], "phone_masked": ""} == {
        **unknown.json()["verification"],
        "phone_masked": "",
    }
    assert len(outbox.codes(NEW_NUMBER)) == 1
    ticket = unknown.json()["ticket"]
    response = post(client, "/verification/verify", {"ticket": ticket, "code": outbox.last_code(NEW_NUMBER)})
    assert response.json() == {"status": "verified", "next": "sign_up"}
    response = post(client, "/recovery/password", {"ticket": ticket, "password": NEW_PASSWORD})
    assert response.status_code == 404
    assert User.objects.count() == 1


def test_recovery_sets_a_new_password_once(client, citizen, outbox):  # noqa: F811
    ticket = post(client, "/recovery", {"phone": "0770 123 4567"}).json()["ticket"]
    early = post(client, "/recovery/password", {"ticket": ticket, "password": NEW_PASSWORD})
    assert early.status_code == 404  # not proved yet
    post(client, "/verification/verify", {"ticket": ticket, "code": outbox.last_code(citizen.phone)})
    response = post(client, "/recovery/password", {"password": NEW_PASSWORD}, X_Verification_Ticket=ticket)
    assert response.status_code == 200
    again = post(client, "/recovery/password", {"ticket": ticket, "password": "yet another long phrase"})
    assert again.status_code == 404
    citizen.refresh_from_db()
    assert citizen.check_password(NEW_PASSWORD)
    assert [line["template"] for line in outbox.lines(citizen.phone)] == ["verification_code", "password_changed"]


def totp_now(device):
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    return f"{totp.token():06d}"


def test_recovery_never_bypasses_a_second_factor(client, citizen, outbox, clock):  # noqa: F811
    device = TOTPDevice.objects.create(user=citizen, name="Authenticator app", confirmed=True)
    ticket = post(client, "/recovery", {"phone": citizen.phone}).json()["ticket"]
    post(client, "/verification/verify", {"ticket": ticket, "code": outbox.last_code(citizen.phone)})
    missing = post(client, "/recovery/password", {"ticket": ticket, "password": NEW_PASSWORD, "lang": "en"})
    assert missing.status_code == 400
    assert missing.json()["code"] == "second_factor_required"
    assert set(missing.json()["fields"]) == {"second_factor_code"}
    good_code = totp_now(device)
    wrong_code = f"{(int(good_code) + 500000) % 10**6:06d}"
    bad = post(
        client, "/recovery/password", {"ticket": ticket, "password": NEW_PASSWORD, "second_factor_code": wrong_code}
    )
    assert bad.status_code == 400
    assert bad.json()["code"] == "second_factor_invalid"
    citizen.refresh_from_db()
    assert citizen.check_password(CITIZEN_PASSWORD)  # nothing changed
    assert PhoneVerification.objects.get(purpose=VerificationPurpose.RECOVERY).failed_attempts == 1
    clock.advance(seconds=2)  # django-otp's own throttle after a wrong code
    good = post(
        client, "/recovery/password", {"ticket": ticket, "password": NEW_PASSWORD, "second_factor_code": good_code}
    )
    assert good.status_code == 200
    citizen.refresh_from_db()
    assert citizen.check_password(NEW_PASSWORD)
    assert AccountEvent.objects.filter(user=citizen, kind="recovered").get().data == {"with_second_factor": True}


def test_the_openapi_document_describes_every_endpoint_and_the_retry_after_header(client):
    document = client.get("/api/v1/openapi.json").json()
    paths = {path: set(item) for path, item in document["paths"].items() if path.startswith(API)}
    assert (
        paths.items()
        >= {
            f"{API}/signup": {"post"},
            f"{API}/verification": {"get"},
            f"{API}/verification/resend": {"post"},
            f"{API}/verification/verify": {"post"},
            f"{API}/recovery": {"post"},
            f"{API}/recovery/password": {"post"},
        }.items()
    )
    signup = document["paths"][f"{API}/signup"]["post"]["responses"]
    assert set(signup) == {"202", "400", "429"}
    assert "Retry-After" in signup["429"]["headers"]
    assert all("{" not in path for path in paths)  # no ticket in a URL path


def test_codes_are_never_in_the_database_or_the_api(client, outbox):  # noqa: F811
    body = sign_up(client).text
    code = outbox.last_code()
    assert code not in body
    assert not Message.objects.filter(body__contains=code).exists()


def test_every_accounts_endpoint_answers_a_broken_body_in_the_usual_shape(client, citizen):  # noqa: F811
    client.force_login(citizen)
    response = client.post(f"{API}/phone-change", b"\x00{", content_type="application/json")
    assert response.status_code == 400
    assert set(response.json()) == {"code", "message", "fields"}
