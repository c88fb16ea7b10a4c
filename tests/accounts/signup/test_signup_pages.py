"""Sign-up through the pages, end to end: the number, the code from the outbox, signed in.

Time is the `clock` fixture's: codes expire and waits end only when a test moves it.
"""

import re

import pytest
from django.contrib.auth import SESSION_KEY
from django.test import Client

from bawaba.accounts.constants import AccountEventKind, VerificationPurpose, VerificationStatus
from bawaba.accounts.models import AccountEvent, PhoneVerification, User, VerificationTicket
from tests.accounts.conftest import CITIZEN_PASSWORD, NEW_NUMBER

pytestmark = pytest.mark.django_db(transaction=True)

SIGNUP = "/en/account/sign-up/"
VERIFY = "/en/account/verify/"
RESEND = "/en/account/verify/resend/"
RESTART = "/en/account/verify/restart/"
STATUS = "/en/account/verify/status/"
RECOVER_PASSWORD = "/en/account/recover/password/"
HOME = "/en/account/"
SIGN_IN = "/en/account/sign-in/"
PASSWORD = "green tea at the souq"
OTHER_PASSWORD = "a kite over Mosul bridge"


def sign_up(client, *, phone="0770 987 6543", name="Ali Kareem", password=PASSWORD, path=SIGNUP):
    return client.post(path, {"phone": phone, "full_name": name, "password": password})


def enter(client, code):
    return client.post(VERIFY, {"code": code})


def text(response):
    return re.sub(r"\s+", " ", response.content.decode())


def words(response):
    """What the page says, without its markup."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", response.content.decode()))


def signed_in_as(client):
    return client.session.get(SESSION_KEY)


def test_the_sign_up_page_asks_for_number_name_and_password_with_the_right_autocomplete(client):
    response = client.get(SIGNUP)
    assert response.status_code == 200
    page = text(response)
    assert "<h1>Create an account</h1>" in page
    assert 'type="tel" name="phone"' in page
    assert 'autocomplete="tel"' in page
    assert 'autocomplete="name"' in page
    assert 'type="password" name="password"' in page
    assert 'autocomplete="new-password"' in page
    assert 'href="/en/account/recover/"' in page


def test_a_new_number_gets_an_unverified_account_at_once_then_the_code_signs_in(client, outbox, clock):
    response = sign_up(client)
    assert response.status_code == 302
    assert response["Location"] == VERIFY
    user = User.objects.get()
    assert user.phone == NEW_NUMBER
    assert user.username == f"c-{user.public_id.hex}"
    assert user.full_name == "Ali Kareem"
    assert user.preferred_language == "en"
    assert user.phone_verified_at is None
    assert user.check_password(PASSWORD)
    assert list(AccountEvent.objects.values_list("kind", flat=True)) == [AccountEventKind.SIGNUP_STARTED]
    verification = PhoneVerification.objects.get()
    assert (verification.purpose, verification.user_id) == (VerificationPurpose.SIGNUP, user.pk)

    page = client.get(VERIFY)
    assert page.status_code == 200
    content = text(page)
    assert "+964 770 ••• 6543" in content
    assert "Sent to your mobile operator" in content
    assert 'autocomplete="one-time-code"' in content
    assert 'inputmode="numeric"' in content
    assert 'href="/en/account/verify/">Check again</a>' in content
    assert "You can ask for a new code in 30 seconds." in words(page)
    assert "<span data-resend-words>30 seconds</span>" in content
    assert NEW_NUMBER not in content  # only the masked number

    response = enter(client, outbox.last_code())
    assert response.status_code == 302
    assert response["Location"] == HOME
    user.refresh_from_db()
    assert user.phone_verified_at is not None
    assert signed_in_as(client) == str(user.pk)
    assert set(AccountEvent.objects.values_list("kind", flat=True)) >= {
        AccountEventKind.SIGNUP_STARTED,
        AccountEventKind.PHONE_VERIFIED,
        AccountEventKind.SIGNED_IN,
    }
    assert "bawaba_verification" not in client.session
    assert VerificationTicket.objects.get().used_at is not None
    assert VerificationTicket.objects.get().password == ""


def test_the_number_may_be_written_any_usual_way(client, outbox):
    sign_up(client, phone="٠٧٧٠-٩٨٧-٦٥٤٣")
    assert User.objects.get().phone == NEW_NUMBER
    assert outbox.lines()[0]["to"] == NEW_NUMBER


def test_a_late_code_works_after_a_resend(client, outbox, clock):
    sign_up(client)
    first = outbox.last_code()
    too_early = client.post(RESEND, {"channel": "sms"}, follow=True)
    assert "A new code can be sent a little later. You can ask again in 30 seconds." in text(too_early)
    assert len(outbox.codes()) == 1
    clock.advance(seconds=30)
    page = client.post(RESEND, {"channel": "sms"}, follow=True)
    assert "We sent a new code. Any code that has not expired will work." in text(page)
    assert "You can ask for a new code in 1 minute." in words(page)
    assert len(outbox.codes()) == 2
    clock.advance(seconds=200)  # the first code is 230 s old: late, but not expired
    assert enter(client, first)["Location"] == HOME
    assert signed_in_as(client) is not None


def test_an_expired_code_says_so_and_keeps_what_was_typed(client, outbox, clock):
    sign_up(client)
    code = outbox.last_code()
    clock.advance(seconds=300)
    response = enter(client, code)
    assert response.status_code == 400
    page = text(response)
    assert "That code has expired. Ask for a new one." in page
    assert f'value="{code}"' in page
    assert signed_in_as(client) is None


def test_wrong_codes_get_waits_then_the_page_says_to_wait(client, outbox, clock):
    sign_up(client)
    wrong = "000000" if outbox.last_code() != "000000" else "111111"
    for _ in range(3):
        response = enter(client, wrong)
        assert response.status_code == 400
        assert "That code is not right. Check the latest SMS and try again." in text(response)
    response = enter(client, wrong)
    assert response.status_code == 400
    assert "Please wait 30 seconds before you try another code." in text(response)
    response = enter(client, outbox.last_code())
    assert response.status_code == 429
    assert "Too many wrong codes. Please wait before trying again." in text(response)
    assert signed_in_as(client) is None
    clock.advance(seconds=30)
    assert enter(client, outbox.last_code())["Location"] == HOME


def test_the_code_field_takes_eastern_arabic_digits_and_spaces(client, outbox):
    sign_up(client)
    code = outbox.last_code().translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
    assert enter(client, f"{code[:3]} {code[3:]}")["Location"] == HOME


def test_coming_back_to_sign_up_goes_straight_to_the_waiting_page(client):
    sign_up(client)
    response = client.get(SIGNUP)
    assert response.status_code == 302
    assert response["Location"] == VERIFY


def test_use_another_number_forgets_this_browsers_ticket(client):
    sign_up(client)
    assert client.post(RESTART)["Location"] == SIGNUP
    assert client.get(SIGNUP).status_code == 200
    assert client.get(VERIFY)["Location"] == SIGNUP


def test_a_new_browser_a_day_later_resumes_the_same_account_and_verification(client, outbox, clock):
    sign_up(client)
    clock.advance(hours=25)
    other_browser = Client()
    sign_up(other_browser, phone="+964 770 987 6543", name="Ali Kareem Hassan", password=OTHER_PASSWORD)
    assert User.objects.count() == 1
    assert PhoneVerification.objects.count() == 1
    assert VerificationTicket.objects.count() == 2
    assert len(outbox.codes()) == 2
    assert enter(other_browser, outbox.last_code())["Location"] == HOME
    user = User.objects.get()
    assert user.full_name == "Ali Kareem Hassan"
    assert user.check_password(OTHER_PASSWORD)
    # The first browser's ticket ended long ago (a day), and its verification is done anyway.
    response = client.get(VERIFY)
    assert response["Location"] == SIGNUP


def test_only_the_ticket_that_proves_the_code_gets_its_name_and_password(client, outbox):
    """Someone signs up with a number that is not theirs, choosing a password; the holder signs up too."""
    intruder = Client()
    sign_up(intruder, name="Not The Owner", password=OTHER_PASSWORD)
    wrong = "000000" if outbox.last_code() != "000000" else "111111"
    assert enter(intruder, wrong).status_code == 400  # they do not have the phone
    owner = client
    sign_up(owner)
    assert enter(owner, outbox.last_code())["Location"] == HOME
    user = User.objects.get()
    assert user.full_name == "Ali Kareem"
    assert user.check_password(PASSWORD)
    assert not user.check_password(OTHER_PASSWORD)
    # The intruder's ticket is finished: it can prove nothing and apply nothing now.
    assert intruder.get(VERIFY)["Location"] == SIGNUP
    assert signed_in_as(intruder) is None
    refused = intruder.post(SIGN_IN, {"phone": NEW_NUMBER, "password": OTHER_PASSWORD})
    assert refused.status_code in {400, 429}
    assert signed_in_as(intruder) is None


def test_the_password_of_an_unverified_account_never_signs_in(client, outbox):
    sign_up(client)
    browser = Client()
    response = browser.post(SIGN_IN, {"phone": NEW_NUMBER, "password": PASSWORD})
    assert response.status_code == 400
    assert signed_in_as(browser) is None


def _comparable(page):
    """A page with what differs between any two visits taken out: the masked number, the CSRF token."""
    page = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page)
    return re.sub(r"\+964 7\d\d ••• \d{4}", "NUMBER", page)


def test_signing_up_with_a_registered_number_looks_exactly_like_a_new_number(citizen, outbox, clock):
    new, registered = Client(), Client()
    first = sign_up(new, phone="0770 987 6543")
    second = sign_up(registered, phone="0770 123 4567")  # the citizen's number
    assert (first.status_code, first["Location"]) == (second.status_code, second["Location"])
    assert _comparable(text(new.get(VERIFY))) == _comparable(text(registered.get(VERIFY)))
    sms_new, sms_registered = outbox.lines(NEW_NUMBER)[0], outbox.lines(citizen.phone)[0]
    assert sms_new["template"] == sms_registered["template"] == "verification_code"
    assert re.sub(r"\d{6}", "CODE", sms_new["body"]) == re.sub(r"\d{6}", "CODE", sms_registered["body"])
    # Nothing about the registered account changed, and no second account was made.
    citizen.refresh_from_db()
    assert citizen.full_name == "Zainab Ali"
    assert citizen.check_password(CITIZEN_PASSWORD)
    assert User.objects.count() == 2
    # The number's sign-up verification, as for a new number (decision 0010: keyed by the number alone).
    assert PhoneVerification.objects.get(phone=citizen.phone).purpose == VerificationPurpose.SIGNUP


def test_after_the_code_the_holder_of_a_registered_number_may_sign_in_or_set_a_new_password(client, citizen, outbox):
    sign_up(client, phone=citizen.phone)
    response = enter(client, outbox.last_code(citizen.phone))
    assert response["Location"] == RECOVER_PASSWORD
    page = text(client.get(RECOVER_PASSWORD))
    assert "<h1>This number already has an account</h1>" in page
    assert f'href="{SIGN_IN}"' in page
    response = client.post(RECOVER_PASSWORD, {"password": OTHER_PASSWORD})
    assert response["Location"] == HOME
    citizen.refresh_from_db()
    assert citizen.check_password(OTHER_PASSWORD)
    assert citizen.full_name == "Zainab Ali"  # the sign-up form's name is not applied to an existing account
    assert signed_in_as(client) == str(citizen.pk)


def test_errors_keep_what_was_typed_but_never_the_password(client):
    response = sign_up(client, phone="0770 987 6543", name="Ali Kareem", password="12345678")
    assert response.status_code == 400
    page = text(response)
    assert "Many people use this password, so it is easy to guess. Choose another one." in page
    assert 'value="0770 987 6543"' in page
    assert 'value="Ali Kareem"' in page
    assert "12345678" not in page
    assert 'aria-describedby="id_password_helptext id_password_error"' in page
    assert User.objects.count() == 0


@pytest.mark.parametrize(
    ("phone", "message"),
    [
        ("", "Enter your mobile number."),
        ("12", "Enter a mobile number, for example 0770 123 4567."),
        ("01 234 5678", "Enter a mobile number, for example 0770 123 4567."),  # a Baghdad landline
        ("+44 7911 123456", "Use an Iraqi mobile number, for example 0770 123 4567."),
    ],
)
def test_a_number_we_cannot_send_to_is_refused_in_plain_words(client, phone, message):
    response = sign_up(client, phone=phone)
    assert response.status_code == 400
    assert message in text(response)
    assert User.objects.count() == 0


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("   ", "Enter your full name."),
        ("A" * 151, "Use at most 150 characters."),
        ("Ali\u202eKareem", "Use only letters, spaces and ordinary punctuation."),
        ("Ali\x07Kareem", "Use only letters, spaces and ordinary punctuation."),
    ],
)
def test_a_name_must_be_a_plain_name(client, name, message):
    response = sign_up(client, name=name)
    assert response.status_code == 400
    assert message in text(response)
    assert User.objects.count() == 0


def test_a_name_is_trimmed_and_keeps_the_zero_width_non_joiner_kurdish_needs(client):
    sign_up(client, name="  کوردستان\u200cی   ئازاد  ")
    assert User.objects.get().full_name == "کوردستان\u200cی ئازاد"


def test_the_waiting_page_without_a_ticket_sends_back_to_sign_up(client):
    response = client.get(VERIFY, follow=True)
    assert response.redirect_chain == [(SIGNUP, 302)]
    assert "This code request has ended. Enter your number again to continue." in text(response)


def test_a_signed_in_person_is_not_asked_to_sign_up(client, citizen):
    client.force_login(citizen)
    assert client.get(SIGNUP)["Location"] == HOME


def test_the_status_for_the_pages_script_comes_from_the_session_not_the_url(client, outbox, clock):
    assert client.get(STATUS).status_code == 404
    sign_up(client)
    data = client.get(STATUS).json()
    assert data["phone_masked"] == "+964 770 ••• 6543"
    assert data["delivery"]["code"] == "sent"
    assert data["resend_in"] == 30
    assert data["resend_words"] == "30 seconds"
    assert "ticket" not in data


def test_the_account_is_not_verified_by_a_ticket_that_was_never_proved(client, outbox):
    sign_up(client)
    assert PhoneVerification.objects.get().status == VerificationStatus.PENDING
    assert client.get(RECOVER_PASSWORD)["Location"] == SIGNUP
    assert User.objects.get().phone_verified_at is None


def test_the_waiting_page_works_without_scripts_and_has_no_inline_ones(client):
    sign_up(client)
    response = client.get(VERIFY)
    page = text(response)
    assert re.findall(r"<script[^>]*>", page) == ['<script src="/static/accounts/verification.js" defer>']
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert client.get("/static/accounts/verification.js").status_code == 200


def test_a_wrong_code_is_tied_to_the_code_field(client, outbox):
    sign_up(client)
    wrong = "000000" if outbox.last_code() != "000000" else "111111"
    response = enter(client, wrong)
    assert response.status_code == 400
    [code_input] = re.findall(r'<input [^>]*id="id_code"[^>]*>', text(response))
    assert 'aria-invalid="true"' in code_input
    assert 'aria-describedby="id_code_helptext id_code_error"' in code_input
    assert f'value="{wrong}"' in code_input
    assert '<ul class="errorlist" id="id_code_error"><li>That code is not right.' in text(response)
