"""Deleting an account: anonymised in one go, signed out everywhere, history kept, the number free again."""

import datetime as dt
from urllib.parse import urlencode

import pytest
from django.contrib.auth import authenticate
from django.test import Client
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from bawaba.accounts.constants import AccountEventKind, VerificationPurpose, VerificationStatus
from bawaba.accounts.models import (
    AccountEvent,
    AccountSession,
    PersonalDataAccess,
    PhoneVerification,
    Profile,
    VerificationCode,
    VerificationTicket,
)
from bawaba.accounts.my_data import services
from bawaba.accounts.my_data.services import account_delete
from bawaba.accounts.personal_data import personal_data_access_record
from bawaba.accounts.signup.services import NextStep, signup_complete, signup_start
from tests.accounts.conftest import CITIZEN_PASSWORD
from tests.accounts.my_data.conftest import confirm_it_is_them, reauthenticate_url, sign_in_url, url

NOW = dt.datetime(2026, 4, 2, 10, 0, tzinfo=dt.UTC)


@pytest.fixture
def belongings(citizen, officer_of_health, health_department):
    """What a deletion must remove or keep: profile, second factors, a verification, a staff view."""
    Profile.objects.create(user=citizen, district="Zubair", email="zainab@example.org", statistics_consent=True)
    TOTPDevice.objects.create(user=citizen, name="My phone", confirmed=True)
    recovery = StaticDevice.objects.create(user=citizen, name="Recovery codes", confirmed=True)
    StaticToken.objects.create(device=recovery, token="rcv1a2b3c4")
    verification = PhoneVerification.objects.create(
        purpose=VerificationPurpose.SIGNUP,
        phone=citizen.phone,
        user=citizen,
        subject_key=f"signup:{citizen.phone}:{citizen.pk}",
        status=VerificationStatus.VERIFIED,
    )
    VerificationCode.objects.create(
        verification=verification,
        phone=citizen.phone,
        code_digest="c0de" * 16,
        created_at=NOW,
        expires_at=NOW + dt.timedelta(minutes=5),
    )
    VerificationTicket.objects.create(
        verification=verification, token_digest="7e57" * 16, password="argon2$x", expires_at=NOW
    )
    personal_data_access_record(
        staff=officer_of_health, citizen=citizen, reason="Complaint HC-1", what="Profile", department=health_department
    )
    citizen.email = "zainab@example.org"
    citizen.save(update_fields=["email"])
    return verification


def delete(client, word="delete"):
    return client.post(url("accounts:delete_account"), {"confirmation": word})


def assert_untouched(user, *, full_name, phone):
    user.refresh_from_db()
    assert user.full_name == full_name
    assert user.phone == phone
    assert user.is_active is True
    assert user.deleted_at is None
    assert user.has_usable_password()
    assert not AccountEvent.objects.filter(user=user, kind=AccountEventKind.DELETED).exists()


def test_the_page_explains_what_goes_and_what_is_kept(citizen_client):
    response = citizen_client.get(url("accounts:delete_account"))

    assert response.status_code == 200
    page = response.content.decode()
    assert "<h1>Delete your account</h1>" in page
    assert "What is deleted now" in page
    assert "What we must keep" in page
    assert "are kept for 5 years" in page
    assert "to be confirmed by the portal operator's legal team" in page
    assert '<label for="id_confirmation">To confirm, type delete</label>' in page
    assert 'autocomplete="off"' in page


def test_deletion_end_to_end(citizen_client, citizen, belongings):
    second_device = Client()
    second_device.force_login(citizen)
    public_id = citizen.public_id
    events_before = AccountEvent.objects.filter(user=citizen).count()

    response = delete(citizen_client)

    assert response.status_code == 302
    assert response["Location"] == url("accounts:account_deleted")
    page = citizen_client.get(response["Location"]).content.decode()
    assert "<h1>Your account is deleted</h1>" in page

    citizen.refresh_from_db()
    assert citizen.username == f"deleted-{public_id}"
    assert citizen.public_id == public_id
    assert (citizen.full_name, citizen.first_name, citizen.last_name, citizen.email) == ("", "", "", "")
    assert citizen.phone is None
    assert citizen.phone_verified_at is None
    assert citizen.preferred_language == ""
    assert citizen.has_usable_password() is False
    assert citizen.is_active is False
    assert citizen.deleted_at is not None

    assert not Profile.objects.filter(user=citizen).exists()
    assert not TOTPDevice.objects.filter(user=citizen).exists()
    assert not StaticDevice.objects.filter(user=citizen).exists()
    assert not StaticToken.objects.exists()
    # Codes sent stay counted against the number's caps until the 30-day purge; nothing else is pending.
    assert not PhoneVerification.objects.filter(user=citizen, status="pending").exists()
    assert VerificationCode.objects.count() == 1
    assert not VerificationTicket.objects.exists()

    sessions = AccountSession.objects.filter(user=citizen)
    assert sessions.count() == 2
    assert set(sessions.values_list("end_reason", flat=True)) == {"account_deleted"}
    assert not sessions.filter(ended_at__isnull=True).exists()

    # Kept for audits: the history (with the deletion itself) and the log of staff views.
    assert AccountEvent.objects.filter(user=citizen).count() == events_before + 1
    assert AccountEvent.objects.filter(user=citizen, kind=AccountEventKind.DELETED).count() == 1
    assert PersonalDataAccess.objects.filter(citizen=citizen).count() == 1

    # Signed out here and on the other device.
    for client in (citizen_client, second_device):
        assert client.get(url("accounts:home")).status_code == 302
        assert "_auth_user_id" not in client.session


def test_the_old_password_and_number_no_longer_sign_in(citizen_client, citizen):
    delete(citizen_client)

    assert authenticate(phone="+9647701234567", password=CITIZEN_PASSWORD) is None
    assert authenticate(username="c-citizen", password=CITIZEN_PASSWORD) is None


@pytest.mark.django_db(transaction=True)
def test_the_same_number_can_sign_up_again_as_a_new_account(builtin_templates, outbox, citizen):
    client = Client()
    client.force_login(citizen)
    confirm_it_is_them(client)
    delete(client)

    started = signup_start(
        phone="0770 123 4567",
        full_name="Zainab Ali",
        password="a fresh long passphrase",
        language="ar",
        client_address="203.0.113.7",
    )
    proved = signup_complete(ticket=started.ticket, code=outbox.last_code("+9647701234567"))

    newcomer = proved.user
    assert proved.next == NextStep.SIGN_IN
    assert started.verification.purpose == VerificationPurpose.SIGNUP  # a sign-up, not a recovery
    assert newcomer is not None
    assert newcomer.pk != citizen.pk
    assert newcomer.public_id != citizen.public_id
    assert newcomer.phone == "+9647701234567"
    assert newcomer.is_phone_verified
    assert not Profile.objects.filter(user=newcomer).exists()
    assert authenticate(phone="0770 123 4567", password="a fresh long passphrase") == newcomer
    citizen.refresh_from_db()
    assert citizen.phone is None
    assert citizen.deleted_at is not None


@pytest.mark.parametrize("word", ["", "yes", "delet", "DELETE me"])
def test_a_wrong_confirmation_deletes_nothing(citizen_client, citizen, belongings, word):
    response = delete(citizen_client, word)

    assert response.status_code == 400
    page = response.content.decode()
    assert "Type delete exactly as shown to delete your account." in page
    assert 'id="id_confirmation_error"' in page
    assert_untouched(citizen, full_name="Zainab Ali", phone="+9647701234567")
    assert Profile.objects.filter(user=citizen).exists()
    assert TOTPDevice.objects.filter(user=citizen).exists()
    assert PhoneVerification.objects.filter(user=citizen).exists()


def test_the_word_is_accepted_in_capitals_and_with_spaces(citizen_client, citizen):
    response = delete(citizen_client, "  DELETE ")

    assert response.status_code == 302
    citizen.refresh_from_db()
    assert citizen.deleted_at is not None


def test_the_english_word_works_on_every_language_page(citizen_client, citizen):
    response = citizen_client.post(url("accounts:delete_account", "ar"), {"confirmation": "delete"})

    assert response.status_code == 302
    citizen.refresh_from_db()
    assert citizen.deleted_at is not None


def test_a_get_never_deletes(citizen_client, citizen):
    citizen_client.get(url("accounts:delete_account") + "?confirmation=delete")

    assert_untouched(citizen, full_name="Zainab Ali", phone="+9647701234567")


def test_anonymous_visitors_are_sent_to_sign_in(client, citizen):
    delete_url, sign_in = url("accounts:delete_account"), sign_in_url()

    response = delete(client)

    assert response.status_code == 302
    assert response["Location"] == f"{sign_in}?next={delete_url}"
    assert_untouched(citizen, full_name="Zainab Ali", phone="+9647701234567")


def test_deletion_asks_for_the_password_again_after_a_while(stale_citizen_client, citizen):
    delete_url, reauthenticate = url("accounts:delete_account"), reauthenticate_url()

    response = delete(stale_citizen_client)

    assert response.status_code == 302
    assert response["Location"] == f"{reauthenticate}?{urlencode({'next': delete_url})}"
    assert_untouched(citizen, full_name="Zainab Ali", phone="+9647701234567")


def test_another_citizen_can_only_delete_their_own(other_client, citizen_client, citizen, other_citizen, belongings):
    response = delete(other_client)

    assert response.status_code == 302
    assert_untouched(citizen, full_name="Zainab Ali", phone="+9647701234567")
    assert Profile.objects.filter(user=citizen).exists()
    assert TOTPDevice.objects.filter(user=citizen).exists()
    assert not AccountSession.objects.filter(user=citizen, ended_at__isnull=False).exists()
    assert citizen_client.get(url("accounts:home")).status_code == 200
    other_citizen.refresh_from_db()
    assert other_citizen.deleted_at is not None


def test_a_staff_account_is_not_deleted_from_this_page(officer_of_health):
    client = Client()
    client.force_login(officer_of_health)
    confirm_it_is_them(client)

    page = client.get(url("accounts:delete_account")).content.decode()
    response = delete(client)

    assert "A staff account is closed by your department's administrator" in page
    assert 'name="confirmation"' not in page
    assert response.status_code == 403
    officer_of_health.refresh_from_db()
    assert officer_of_health.is_active is True
    assert officer_of_health.deleted_at is None
    assert officer_of_health.username == "officer-health"
    with pytest.raises(services.StaffAccountNotDeletable):
        account_delete(user=officer_of_health, now=NOW)


def test_deleting_twice_changes_nothing_more(citizen):
    account_delete(user=citizen, now=NOW)

    account_delete(user=citizen, now=NOW + dt.timedelta(days=1))

    citizen.refresh_from_db()
    assert citizen.deleted_at == NOW
    assert AccountEvent.objects.filter(user=citizen, kind=AccountEventKind.DELETED).count() == 1


def test_other_apps_take_their_part_in_the_same_transaction(citizen):
    seen = []

    def detach_cases(user, now):
        seen.append((user.pk, user.full_name, now))

    services.eraser_register("cases", detach_cases)
    try:
        account_delete(user=citizen, now=NOW)
    finally:
        services.eraser_unregister("cases")

    # It runs before the name is cleared, so it can find what carries the name.
    assert seen == [(citizen.pk, "Zainab Ali", NOW)]


def test_a_failing_step_rolls_everything_back(citizen, belongings):
    def broken(user, now):
        raise RuntimeError("cases app is down")

    services.eraser_register("broken", broken)
    try:
        with pytest.raises(RuntimeError):
            account_delete(user=citizen, now=timezone.now())
    finally:
        services.eraser_unregister("broken")

    assert_untouched(citizen, full_name="Zainab Ali", phone="+9647701234567")
    assert Profile.objects.filter(user=citizen).exists()
