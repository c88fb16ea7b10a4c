"""Downloading everything held about me: complete, my own only, and never a secret."""

import datetime as dt
import json
from urllib.parse import urlencode

import pytest
from django.contrib.auth.hashers import make_password
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from bawaba.accounts.constants import AccountEventKind, CodeChannel, VerificationPurpose, VerificationStatus
from bawaba.accounts.models import (
    AccountEvent,
    AccountSession,
    PhoneVerification,
    Profile,
    StaffRole,
    VerificationCode,
    VerificationTicket,
)
from bawaba.accounts.my_data import sections
from bawaba.accounts.my_data.export import BUILTIN_SECTIONS, my_data_export
from bawaba.accounts.personal_data import personal_data_access_record
from bawaba.notifications.constants import Status
from bawaba.notifications.models import Message, MessageTemplate
from tests.accounts.my_data.conftest import reauthenticate_url, sign_in_url, url
from tests.factories import GovernorateFactory

T0 = dt.datetime(2026, 3, 1, 8, 0, tzinfo=dt.UTC)
CODE_DIGEST = "c0de" * 16
TICKET_DIGEST = "7e57" * 16
TICKET_PASSWORD = make_password("the passphrase chosen at sign-up")
SESSION_KEY_OF_CITIZEN = "s3ss10nk3yofth3c1t1z3nxxxxxxxxxx"
SECRET_BODY = "Your Bawaba code is 482913. It expires in 5 minutes. Never share it."


def message(template_name, *, to, at, body, status=Status.DELIVERED, redacted=False):
    return Message.objects.create(
        template=MessageTemplate.objects.get(name=template_name),
        channel="sms",
        recipient=to,
        language="en",
        body=body,
        redacted=redacted,
        status=status,
        created_at=at,
        sent_at=at,
        delivered_at=at + dt.timedelta(seconds=4) if status == Status.DELIVERED else None,
    )


@pytest.fixture
def history(citizen, other_citizen, officer_of_health, health_department):
    """A citizen who signed up, set a profile, added both second factors and had their data viewed."""
    verification = PhoneVerification.objects.create(
        purpose=VerificationPurpose.SIGNUP,
        phone=citizen.phone,
        user=citizen,
        subject_key=f"signup:{citizen.phone}:{citizen.pk}",
        status=VerificationStatus.VERIFIED,
        verified_at=T0 + dt.timedelta(minutes=3),
        codes_sent=1,
        last_code_sent_at=T0,
        failed_attempts=1,
    )
    PhoneVerification.objects.filter(pk=verification.pk).update(created_at=T0)
    pending = message("verification_code", to=citizen.phone, at=T0, body=SECRET_BODY, status=Status.SENT)
    VerificationCode.objects.create(
        verification=verification,
        phone=citizen.phone,
        code_digest=CODE_DIGEST,
        channel=CodeChannel.SMS,
        message_id=pending.pk,
        client_address="203.0.113.7",
        created_at=T0,
        expires_at=T0 + dt.timedelta(minutes=5),
        used_at=T0 + dt.timedelta(minutes=3),
    )
    VerificationTicket.objects.create(
        verification=verification,
        token_digest=TICKET_DIGEST,
        full_name="Zainab Ali",
        password=TICKET_PASSWORD,
        language="ar",
        expires_at=T0 + dt.timedelta(hours=24),
        verified_at=T0 + dt.timedelta(minutes=3),
        used_at=T0 + dt.timedelta(minutes=3),
    )
    citizen.phone_verified_at = T0 + dt.timedelta(minutes=3)
    citizen.save(update_fields=["phone_verified_at"])

    Profile.objects.create(
        user=citizen,
        governorate=GovernorateFactory(iso_code="IQ-BA", name_ar="البصرة", name_en="Basra"),
        district="Zubair",
        gender="female",
        birth_year=1987,
        disability="seeing",
        preferred_channel="sms",
        email="zainab@example.org",
        statistics_consent=True,
        statistics_consent_at=T0,
    )
    AccountEvent.objects.create(user=citizen, kind=AccountEventKind.PHONE_VERIFIED, client_address="203.0.113.7")
    AccountEvent.objects.create(
        user=citizen, kind=AccountEventKind.PROFILE_CHANGED, actor=officer_of_health, data={"fields": ["district"]}
    )
    AccountSession.objects.create(
        user=citizen,
        session_key=SESSION_KEY_OF_CITIZEN,
        last_seen_at=T0,
        client_address="203.0.113.7",
        user_agent="Firefox on Android",
        with_second_factor=True,
    )
    totp = TOTPDevice.objects.create(user=citizen, name="My phone", confirmed=True)
    recovery = StaticDevice.objects.create(user=citizen, name="Recovery codes", confirmed=True)
    for token in ("rcv1a2b3c4", "rcv5d6e7f8"):
        StaticToken.objects.create(device=recovery, token=token)
    personal_data_access_record(
        staff=officer_of_health,
        citizen=citizen,
        reason="Complaint HC-2026-001",
        what="Name and mobile number",
        department=health_department,
    )
    personal_data_access_record(staff=officer_of_health, citizen=other_citizen, reason="Case of Omar", what="Profile")

    message("password_changed", to=citizen.phone, at=T0 + dt.timedelta(days=1), body="Your password was changed.")
    message("verification_code", to=citizen.phone, at=T0 + dt.timedelta(days=2), body="", redacted=True)
    # Before this account started to prove the number: maybe its previous holder's.
    message("password_changed", to=citizen.phone, at=T0 - dt.timedelta(days=30), body="For the number's last owner.")
    message("password_changed", to=other_citizen.phone, at=T0 + dt.timedelta(days=1), body="Omar's message.")
    return {"totp": totp, "recovery": recovery, "pending": pending}


def download(client):
    response = client.post(url("accounts:my_data_download"))
    assert response.status_code == 200
    return response, json.loads(response.content)


def test_the_download_is_an_attachment_named_by_date(citizen_client, citizen, history):
    response, document = download(citizen_client)

    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="bawaba-my-data-')
    assert response["Content-Disposition"].endswith('.json"')
    assert "no-store" in response["Cache-Control"]
    assert document["format"] == "bawaba-my-data/1"
    assert list(document) == ["format", "exported_at", *sections.BUILTIN_SECTION_NAMES]


def test_the_download_is_written_in_the_history(citizen_client, citizen, history):
    download(citizen_client)

    assert AccountEvent.objects.filter(user=citizen, kind=AccountEventKind.DATA_EXPORTED).count() == 1


def test_the_file_name_uses_baghdad_date(citizen):
    from bawaba.accounts.my_data.services import my_data_download

    late_evening_utc = dt.datetime(2026, 3, 1, 22, 30, tzinfo=dt.UTC)  # already 2 March in Baghdad

    assert my_data_download(user=citizen, now=late_evening_utc).filename == "bawaba-my-data-2026-03-02.json"


def test_every_section_holds_what_the_portal_knows(citizen_client, citizen, officer_of_health, history):
    _response, document = download(citizen_client)

    account = document["account"]
    assert account["public_id"] == str(citizen.public_id)
    assert account["full_name"] == "Zainab Ali"
    assert account["phone"] == "+9647701234567"
    assert account["phone_verified_at"] == "2026-03-01T08:03:00Z"
    assert account["preferred_language"] == "ar"
    assert account["has_password"] is True
    assert "password" not in account
    assert "id" not in account

    assert document["profile"] == {
        "governorate": {"iso_code": "IQ-BA", "name": "Basra"},
        "district": "Zubair",
        "gender": "female",
        "birth_year": 1987,
        "disability": "seeing",
        "preferred_channel": "sms",
        "email": "zainab@example.org",
        "email_verified_at": None,
        "statistics_consent": True,
        "statistics_consent_at": "2026-03-01T08:00:00Z",
        "updated_at": document["profile"]["updated_at"],
    }

    events = [(e["kind"], e["done_by"], e["details"]) for e in document["account_events"]]
    assert events[:2] == [
        ("phone_verified", None, {}),
        ("profile_changed", "Huda Kareem", {"fields": ["district"]}),
    ]

    [listed] = [session for session in document["sessions"] if session["browser_or_app"] == "Firefox on Android"]
    assert listed == {
        "signed_in_at": listed["signed_in_at"],
        "last_active_at": "2026-03-01T08:00:00Z",
        "ended_at": None,
        "end_reason": "",
        "from_address": "203.0.113.7",
        "browser_or_app": "Firefox on Android",
        "with_second_factor": True,
    }

    [verification] = document["phone_verifications"]
    assert verification == {
        "purpose": "signup",
        "phone": "+9647701234567",
        "status": "verified",
        "started_at": "2026-03-01T08:00:00Z",
        "verified_at": "2026-03-01T08:03:00Z",
        "codes_sent": 1,
        "last_code_sent_at": "2026-03-01T08:00:00Z",
        "wrong_codes": 1,
        "last_wrong_code_at": None,
        "codes": [
            {
                "channel": "sms",
                "sent_at": "2026-03-01T08:00:00Z",
                "expires_at": "2026-03-01T08:05:00Z",
                "used_at": "2026-03-01T08:03:00Z",
                "delivery": "sent",
            }
        ],
        "tickets": [
            {
                "created_at": verification["tickets"][0]["created_at"],
                "expires_at": "2026-03-02T08:00:00Z",
                "verified_at": "2026-03-01T08:03:00Z",
                "used_at": "2026-03-01T08:03:00Z",
                "full_name": "Zainab Ali",
                "language": "ar",
            }
        ],
    }

    devices = sorted(document["second_factor_devices"], key=lambda d: d["kind"])
    assert [(d["kind"], d["name"], d["confirmed"]) for d in devices] == [
        ("authenticator_app", "My phone", True),
        ("recovery_codes", "Recovery codes", True),
    ]
    assert devices[1]["recovery_codes_left"] == 2
    assert document["staff_roles"] == []

    assert document["staff_views"] == [
        {
            "viewed_at": document["staff_views"][0]["viewed_at"],
            "staff_name": "Huda Kareem",
            "department": "Ministry of Health",
            "reason": "Complaint HC-2026-001",
            "what": "Name and mobile number",
        }
    ]

    assert [(m["kind"], m["created_at"], m["text"], m["text_erased"], m["delivery"]) for m in document["messages"]] == [
        ("verification_code", "2026-03-01T08:00:00Z", None, True, "sent"),
        ("password_changed", "2026-03-02T08:00:00Z", "Your password was changed.", False, "delivered"),
        ("verification_code", "2026-03-03T08:00:00Z", None, True, "delivered"),
    ]


def test_no_secret_is_anywhere_in_the_file(citizen_client, citizen, history):
    response, _document = download(citizen_client)
    raw = response.content.decode()

    citizen.refresh_from_db()
    secrets = {
        "password hash": citizen.password,
        "code digest": CODE_DIGEST,
        "ticket digest": TICKET_DIGEST,
        "password chosen at sign-up (hashed)": TICKET_PASSWORD,
        "session key (listed session)": SESSION_KEY_OF_CITIZEN,
        "session key (this download's)": citizen_client.session.session_key,
        "authenticator key": history["totp"].key,
        "recovery code": "rcv1a2b3c4",
        "a code in a message not yet erased": "482913",
    }
    for name, secret in secrets.items():
        assert secret, name
        assert secret not in raw, name
    assert "argon2" not in raw
    assert "pbkdf2" not in raw


def test_a_message_to_the_number_before_this_account_proved_it_is_left_out(citizen_client, history):
    _response, document = download(citizen_client)
    raw = json.dumps(document)

    assert "For the number's last owner." not in raw
    assert "Omar's message." not in raw


def test_an_unproved_number_shows_no_messages(citizen, history):
    citizen.phone_verified_at = None
    citizen.save(update_fields=["phone_verified_at"])

    assert my_data_export(user=citizen)["messages"] == []


def test_another_citizen_downloads_only_their_own(other_client, citizen, other_citizen, history):
    _response, document = download(other_client)
    raw = json.dumps(document, ensure_ascii=False)

    assert document["account"]["public_id"] == str(other_citizen.public_id)
    assert document["account"]["phone"] == "+9647801234567"
    for theirs in (str(citizen.public_id), "+9647701234567", "Zainab", "Zubair", "HC-2026-001", "My phone"):
        assert theirs not in raw
    assert [view["reason"] for view in document["staff_views"]] == ["Case of Omar"]
    assert AccountEvent.objects.filter(user=citizen, kind=AccountEventKind.DATA_EXPORTED).count() == 0


def test_a_staff_member_sees_their_roles(officer_of_health, health_department):
    document = my_data_export(user=officer_of_health)

    assert [(r["role"], r["department"]) for r in document["staff_roles"]] == [("case_officer", "Ministry of Health")]
    assert StaffRole.objects.count() == 1


def test_anonymous_visitors_are_sent_to_sign_in_and_nothing_is_written(client, citizen):
    download_url, sign_in = url("accounts:my_data_download"), sign_in_url()

    for response in (client.get(download_url), client.post(download_url)):
        assert response.status_code == 302
        assert response["Location"] == f"{sign_in}?next={download_url}"
    assert AccountEvent.objects.count() == 0


def test_the_download_asks_for_the_password_again_after_a_while(stale_citizen_client, citizen):
    download_url, reauthenticate = url("accounts:my_data_download"), reauthenticate_url()

    response = stale_citizen_client.post(download_url)

    assert response.status_code == 302
    assert response["Location"] == f"{reauthenticate}?{urlencode({'next': download_url})}"
    assert AccountEvent.objects.filter(user=citizen, kind=AccountEventKind.DATA_EXPORTED).count() == 0


def test_coming_back_from_the_password_page_offers_the_button_and_makes_no_file(citizen_client, citizen):
    response = citizen_client.get(url("accounts:my_data_download"))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/html; charset=utf-8"
    page = response.content.decode()
    assert f'<form method="post" action="{url("accounts:my_data_download")}">' in page
    assert AccountEvent.objects.filter(user=citizen, kind=AccountEventKind.DATA_EXPORTED).count() == 0


def test_another_app_adds_its_section(citizen_client, citizen):
    def cases(user):
        return [{"tracking_code": "HC-1", "owner": user.public_id}]

    sections.register("cases", cases)
    try:
        _response, document = download(citizen_client)
    finally:
        sections.unregister("cases")

    assert list(document)[-1] == "cases"
    assert document["cases"] == [{"tracking_code": "HC-1", "owner": str(citizen.public_id)}]


def test_the_built_in_sections_are_the_reserved_names():
    assert tuple(BUILTIN_SECTIONS) == sections.BUILTIN_SECTION_NAMES


def test_downloads_are_limited_per_hour(citizen_client, citizen):
    from bawaba.accounts.my_data.services import DOWNLOADS_PER_HOUR

    for _ in range(DOWNLOADS_PER_HOUR):
        download(citizen_client)

    response = citizen_client.post(url("accounts:my_data_download"))

    assert response.status_code == 429
    assert response["Content-Type"] == "text/html; charset=utf-8"
    exported = AccountEvent.objects.filter(user=citizen, kind=AccountEventKind.DATA_EXPORTED)
    assert exported.count() == DOWNLOADS_PER_HOUR


def test_the_too_many_downloads_page_does_not_blame_the_address(citizen_client, citizen):
    from bawaba.accounts.my_data.services import DOWNLOADS_PER_HOUR

    for _ in range(DOWNLOADS_PER_HOUR):
        download(citizen_client)

    page = citizen_client.post(url("accounts:my_data_download")).content.decode()

    assert "The address may be mistyped" not in page


def test_another_persons_sign_up_on_my_number_is_not_in_my_export(citizen_client, citizen):
    """Security review F4: anyone can start a sign-up or recovery with my number; their name and address are
    theirs, not my data, and must not reach me (or someone who took my account over)."""
    import datetime as dt

    from django.utils import timezone

    from bawaba.accounts.models import PhoneVerification, VerificationCode, VerificationTicket

    now = timezone.now()
    verification = PhoneVerification.objects.create(
        purpose="recovery", phone=citizen.phone, user=citizen, subject_key=f"recovery:{citizen.phone}:{citizen.pk}"
    )
    VerificationTicket.objects.create(
        verification=verification,
        token_digest="f" * 64,
        full_name="Someone Else Entirely",
        expires_at=now + dt.timedelta(hours=1),
    )
    VerificationCode.objects.create(
        verification=verification,
        phone=citizen.phone,
        code_digest="e" * 64,
        client_address="198.51.100.99",
        created_at=now,
        expires_at=now + dt.timedelta(minutes=5),
    )

    exported = download(citizen_client)[0].content.decode()

    assert "Someone Else Entirely" not in exported
    assert "198.51.100.99" not in exported
