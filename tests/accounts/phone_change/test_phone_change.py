"""Changing the mobile number through the pages, reading codes from the outbox as the phone would."""

import re

import pytest
from django.conf import settings
from django.test import Client

from bawaba.accounts.constants import AccountEventKind, VerificationPurpose, VerificationStatus
from bawaba.accounts.models import AccountEvent, AccountSession, PhoneVerification, User
from bawaba.notifications.models import Message
from tests.accounts.conftest import CITIZEN_PASSWORD, NEW_NUMBER
from tests.accounts.phone_change.conftest import (
    DONE_URL,
    PHONE_URL,
    RESEND_URL,
    VERIFY_URL,
    confirmed_browser,
)
from tests.accounts.sessions.conftest import WINDOWS_FIREFOX, is_signed_in, sign_in

OTHER_PASSWORD = "another long passphrase"  # other_citizen's
THIRD_PASSWORD = "dates from Basra are sweet"  # noqa: S105


def snapshot(*users: User) -> list[tuple]:
    """What a refused change must leave as it was: numbers, open sessions, histories, messages."""
    return [
        *[(u.pk, *User.objects.filter(pk=u.pk).values_list("phone", "phone_verified_at").get()) for u in users],
        sorted(AccountSession.objects.filter(ended_at__isnull=True).values_list("pk", flat=True)),
        sorted(AccountEvent.objects.filter(kind=AccountEventKind.PHONE_CHANGED).values_list("pk", flat=True)),
        sorted(Message.objects.exclude(template__name="verification_code").values_list("pk", flat=True)),
    ]


@pytest.mark.django_db(transaction=True)
def test_changing_the_number_end_to_end(builtin_templates, outbox, citizen, clock):
    laptop = sign_in(Client(HTTP_USER_AGENT=WINDOWS_FIREFOX), citizen)
    phone = confirmed_browser(citizen, CITIZEN_PASSWORD)
    page = phone.get(PHONE_URL).content.decode()
    assert 'type="tel"' in page
    assert 'autocomplete="tel"' in page

    started = phone.post(PHONE_URL, {"phone": "0770 987 6543"})

    assert (started.status_code, started["Location"]) == (302, VERIFY_URL)
    waiting = phone.get(VERIFY_URL).content.decode()
    assert "+964 770 ••• 6543" in waiting
    assert "Being sent" in waiting or "Sent to your mobile operator" in waiting
    assert "You can ask for a new code in 30 seconds." in waiting
    assert 'autocomplete="one-time-code"' in waiting
    code = outbox.last_code(to=NEW_NUMBER)

    done = phone.post(VERIFY_URL, {"code": code})

    assert (done.status_code, done["Location"]) == (302, DONE_URL)
    citizen.refresh_from_db()
    assert citizen.phone == NEW_NUMBER
    assert citizen.phone_verified_at is not None
    [notice] = outbox.lines(to="+9647701234567")
    assert "6543" in notice["body"]
    assert NEW_NUMBER not in notice["body"]
    assert is_signed_in(phone)
    assert not is_signed_in(laptop)
    event = AccountEvent.objects.get(user=citizen, kind=AccountEventKind.PHONE_CHANGED)
    assert event.data == {"old_ending": "4567", "new_ending": "6543", "sessions_ended": 1}
    assert "Your mobile number is changed" in phone.get(DONE_URL).content.decode()
    # The new number signs in; the old one no longer does.
    assert Client().login(phone=NEW_NUMBER, password=CITIZEN_PASSWORD)
    assert not Client().login(phone="+9647701234567", password=CITIZEN_PASSWORD)


def walk(client: Client, new_number: str, outbox) -> tuple[list, object]:
    """Everything a person sees while changing to `new_number` until the right code, with the number's
    own digits taken out; then the answer to the right code."""
    seen = []

    def look(response):
        body = response.content.decode() if response.status_code == 200 else ""
        body = re.sub(r"csrfmiddlewaretoken\" value=\"[^\"]+", "", body)
        body = body.replace(new_number[-4:], "NNNN").replace(new_number[4:7], "PPP")
        seen.append((response.status_code, response.get("Location"), body))

    look(client.post(PHONE_URL, {"phone": new_number}))
    look(client.get(VERIFY_URL))
    look(client.post(RESEND_URL, {"channel": "sms"}))
    look(client.get(VERIFY_URL))
    look(client.post(VERIFY_URL, {"code": "000000"}))
    look(client.post(PHONE_URL, {"phone": new_number}))  # coming back resumes
    look(client.get(PHONE_URL))
    return seen, client.post(VERIFY_URL, {"code": outbox.last_code(to=new_number)})


@pytest.mark.django_db(transaction=True)
def test_a_taken_number_gets_the_same_answers_until_its_code_is_proved(
    builtin_templates, outbox, citizen, other_citizen, third_citizen, clock
):
    """Time stands still, so that waits and countdowns compare exactly."""
    taken = confirmed_browser(citizen, CITIZEN_PASSWORD)
    free = confirmed_browser(third_citizen, THIRD_PASSWORD)
    before = snapshot(citizen, other_citizen)

    seen_taken, refused = walk(taken, other_citizen.phone, outbox)
    seen_free, accepted = walk(free, "+9647809876543", outbox)

    assert seen_taken == seen_free
    assert accepted.status_code == 302
    assert refused.status_code == 409
    page = refused.content.decode()
    assert "This number is used by another account" in page
    assert "Recover" in page
    assert snapshot(citizen, other_citizen)[:2] == before[:2]
    assert not AccountEvent.objects.filter(user=citizen, kind=AccountEventKind.PHONE_CHANGED).exists()
    assert outbox.lines(to=citizen.phone) == []
    assert is_signed_in(taken)
    # The change is over: coming back starts a new one.
    assert taken.get(VERIFY_URL)["Location"] == PHONE_URL


@pytest.mark.django_db(transaction=True)
def test_a_number_held_by_an_unfinished_sign_up_moves_to_whoever_proves_it(builtin_templates, outbox, citizen):
    squatter = User.objects.create(username="c-half", phone=NEW_NUMBER, full_name="Half way")
    PhoneVerification.objects.create(
        purpose=VerificationPurpose.SIGNUP,
        phone=NEW_NUMBER,
        user=squatter,
        subject_key=f"signup:{NEW_NUMBER}:{squatter.pk}",
    )
    phone = confirmed_browser(citizen, CITIZEN_PASSWORD)
    phone.post(PHONE_URL, {"phone": NEW_NUMBER})

    response = phone.post(VERIFY_URL, {"code": outbox.last_code(to=NEW_NUMBER)})

    assert response["Location"] == DONE_URL
    assert User.objects.get(pk=citizen.pk).phone == NEW_NUMBER
    assert User.objects.get(pk=squatter.pk).phone is None
    assert PhoneVerification.objects.get(user=squatter).status == VerificationStatus.CANCELLED


@pytest.mark.django_db
def test_the_pages_need_a_fresh_confirmation(citizen):
    phone = sign_in(Client(), citizen)
    for response in (phone.get(PHONE_URL), phone.post(PHONE_URL, {"phone": NEW_NUMBER})):
        assert response.status_code == 302
        assert response["Location"] == "/en/account/confirm/?next=%2Fen%2Faccount%2Fphone%2F"
    assert not PhoneVerification.objects.exists()


@pytest.mark.django_db
def test_proving_the_code_needs_a_fresh_confirmation_too(citizen, clock, outbox, builtin_templates):
    phone = confirmed_browser(citizen, CITIZEN_PASSWORD)
    phone.post(PHONE_URL, {"phone": NEW_NUMBER})
    clock.advance(seconds=settings.BAWABA_REAUTH_SECONDS + 1)

    response = phone.post(VERIFY_URL, {"code": "123456"})

    assert response["Location"] == "/en/account/confirm/?next=%2Fen%2Faccount%2Fphone%2Fverify%2F"
    assert PhoneVerification.objects.get().failed_attempts == 0
    assert phone.get(VERIFY_URL).status_code == 200  # the wait itself is kept


@pytest.mark.parametrize(
    ("typed", "error"),
    [
        ("12345", "Enter a mobile number"),
        ("+44 7911 123456", "Use an Iraqi mobile number"),
        ("0770 123 4567", "This is already your number. Enter the new number."),
        ("", "Enter your new mobile number."),
    ],
)
@pytest.mark.django_db
def test_a_number_that_cannot_be_used_is_refused_on_the_form(citizen, typed, error):
    phone = confirmed_browser(citizen, CITIZEN_PASSWORD)

    response = phone.post(PHONE_URL, {"phone": typed})

    assert response.status_code == 400
    assert [message for message in response.context["form"].errors["phone"] if message.startswith(error)]
    assert f'value="{typed}"' in response.content.decode() or not typed
    assert not PhoneVerification.objects.exists()


@pytest.mark.django_db
def test_a_wrong_code_changes_nothing(citizen, other_citizen, builtin_templates):
    phone = confirmed_browser(citizen, CITIZEN_PASSWORD)
    phone.post(PHONE_URL, {"phone": NEW_NUMBER})
    before = snapshot(citizen)

    response = phone.post(VERIFY_URL, {"code": "000000"})

    assert response.status_code == 400
    assert response.context["form"].errors["__all__"] == ["That code is not right. Check the latest SMS and try again."]
    assert 'value="000000"' not in response.content.decode()
    assert snapshot(citizen) == before


@pytest.mark.django_db
def test_another_persons_change_cannot_be_finished_from_my_session(citizen, other_citizen, builtin_templates):
    from bawaba.accounts.phone_change.services import phone_change_start

    theirs = phone_change_start(user=other_citizen, phone=NEW_NUMBER, client_address="192.0.2.1")
    mine = confirmed_browser(citizen, CITIZEN_PASSWORD)
    session = mine.session
    session["bawaba_phone_change"] = theirs.ticket
    session.save()

    response = mine.post(VERIFY_URL, {"code": "000000"})

    assert response["Location"] == PHONE_URL
    assert PhoneVerification.objects.get().failed_attempts == 0


@pytest.mark.django_db
def test_only_a_few_new_numbers_a_day(citizen, builtin_templates):
    phone = confirmed_browser(citizen, CITIZEN_PASSWORD)
    for ending in range(5):
        assert phone.post(PHONE_URL, {"phone": f"077098765{ending:02d}"}).status_code == 302
        phone.post("/en/account/phone/cancel/")

    refused = phone.post(PHONE_URL, {"phone": "0770 987 6599"})
    again = phone.post(PHONE_URL, {"phone": "0770 987 6500"})  # a number already tried is fine

    assert refused.status_code == 400
    assert refused.context["form"].errors["__all__"] == ["Too many attempts. Please wait a little and try again."]
    assert again.status_code == 302
    assert PhoneVerification.objects.count() == 5


@pytest.mark.django_db
def test_the_waiting_page_status_for_its_script(citizen, clock, builtin_templates):
    phone = confirmed_browser(citizen, CITIZEN_PASSWORD)
    assert phone.get("/en/account/phone/status/").status_code == 404
    phone.post(PHONE_URL, {"phone": NEW_NUMBER})

    status = phone.get("/en/account/phone/status/").json()

    assert (status["phone_masked"], status["resend_in"], status["resend_words"]) == (
        "+964 770 ••• 6543",
        30,
        "30 seconds",
    )
    assert "data-verification-status" in phone.get(VERIFY_URL).content.decode()
