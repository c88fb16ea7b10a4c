"""The verification engine through its services: codes, resends, caps, wrong codes, tickets.

Time is passed in (`now=`) so every wait is exact; codes are read from the outbox as a phone would get them.
"""

import datetime as dt
import threading

import pytest
from django.db import connection
from django.utils import timezone, translation

from bawaba.accounts.constants import CodeChannel, VerificationPurpose, VerificationStatus
from bawaba.accounts.errors import (
    CodeExpired,
    CodeInvalid,
    CodeLimitReached,
    ResendNotYet,
    TooManyAttempts,
    VerificationNotFound,
)
from bawaba.accounts.models import PhoneVerification, VerificationCode, VerificationTicket
from bawaba.accounts.verification import codes as code_rules
from bawaba.accounts.verification import services
from bawaba.accounts.verification.selectors import phone_masked, verification_state, verification_ticket_get
from bawaba.accounts.verification.services import verification_check, verification_resend, verification_start
from bawaba.core.errors import ValidationFailed
from bawaba.notifications.models import Message
from tests.accounts.conftest import NEW_NUMBER

pytestmark = pytest.mark.django_db(transaction=True)

ADDRESS = "198.51.100.7"
OTHER_NUMBER = "+9647801112233"


@pytest.fixture
def t0():
    return timezone.now().replace(microsecond=0)


def start(now, *, phone=NEW_NUMBER, purpose=VerificationPurpose.SIGNUP, address=ADDRESS, user=None):
    return verification_start(purpose=purpose, phone=phone, user=user, client_address=address, language="en", now=now)


def later(t0, seconds):
    return t0 + dt.timedelta(seconds=seconds)


# codes and how they are kept


def test_a_code_is_six_digits_sent_by_sms_and_stored_only_as_an_hmac(t0, outbox):
    started = start(t0)
    assert started.code_sent is True
    [line] = outbox.lines()
    assert line["to"] == NEW_NUMBER
    assert line["priority"] == "urgent"
    assert line["body"] == f"Your Bawaba code is {outbox.last_code()}. It expires in 5 minutes. Never share it."
    code = outbox.last_code()
    [row] = VerificationCode.objects.all()
    assert row.code_digest == code_rules.code_digest(verification_id=started.verification.pk, code=code)
    assert code not in row.code_digest
    assert row.expires_at == later(t0, 300)
    assert row.channel == CodeChannel.SMS
    assert row.client_address == ADDRESS
    assert row.phone == NEW_NUMBER
    message = Message.objects.get(pk=row.message_id)
    assert message.reference == f"accounts.verification:{started.verification.pk}"
    assert message.body == ""  # the notifications app erases a code once it is handed over


def test_the_digest_binds_the_verification_so_a_code_proves_nothing_elsewhere():
    assert code_rules.code_digest(verification_id="a", code="123456") != code_rules.code_digest(
        verification_id="b", code="123456"
    )


def test_codes_come_from_the_whole_range():
    seen = {code_rules.code_generate() for _ in range(2000)}
    assert all(len(code) == 6 and code.isdigit() for code in seen)
    assert len(seen) > 1990  # 2000 draws from a million values: a handful of repeats at most
    assert any(code.startswith("0") for code in seen)


@pytest.mark.parametrize(
    ("typed", "cleaned"),
    [
        ("482913", "482913"),
        (" 482 913 ", "482913"),
        ("482-913", "482913"),
        ("٤٨٢٩١٣", "482913"),
        ("۴۸۲۹۱۳", "482913"),
        ("٤٨٢ ٩١٣", "482913"),
        ("48291", ""),
        ("4829134", ""),
        ("48291a", ""),
        ("", ""),
    ],
)
def test_what_a_person_types_is_read_as_the_digits_they_meant(typed, cleaned):
    assert code_rules.code_clean(typed) == cleaned


def test_the_ticket_is_stored_only_as_a_digest(t0):
    started = start(t0)
    [ticket] = VerificationTicket.objects.all()
    assert len(started.ticket) >= 43
    assert ticket.token_digest == code_rules.ticket_digest(started.ticket)
    assert started.ticket not in ticket.token_digest
    assert ticket.expires_at == later(t0, 24 * 3600)


def test_the_number_is_shown_masked():
    assert phone_masked("+9647701234567") == "+964 770 ••• 4567"


# resuming


def test_coming_back_finds_the_same_verification_with_a_new_ticket_and_no_code_during_the_cooldown(t0, outbox):
    first = start(t0)
    again = start(later(t0, 10), phone="0770 987 6543")
    assert again.verification.pk == first.verification.pk
    assert again.ticket != first.ticket
    assert again.code_sent is False
    assert len(outbox.codes()) == 1
    state = verification_state(verification=again.verification, now=later(t0, 10))
    assert state.resend_in == 20
    assert state.code_sent is True
    assert state.code_expires_in == 290
    # Both tickets work on the same verification: the one code proves it with either.
    verification_ticket_get(ticket=first.ticket, now=later(t0, 10))
    verification_check(ticket=again.ticket, code=outbox.last_code(), now=later(t0, 20))


def test_coming_back_after_the_cooldown_sends_a_new_code(t0, outbox):
    start(t0)
    again = start(later(t0, 31))
    assert again.code_sent is True
    assert len(outbox.codes()) == 2
    assert PhoneVerification.objects.count() == 1


def test_each_purpose_and_account_has_its_own_verification(t0, citizen):
    signup = start(t0)
    recovery = start(t0, purpose=VerificationPurpose.RECOVERY)
    assert signup.verification.pk != recovery.verification.pk
    assert recovery.verification.subject_key == f"recovery:{NEW_NUMBER}:"
    assert signup.verification.subject_key == f"signup:{NEW_NUMBER}:"


def test_two_starts_racing_for_the_same_number_share_one_verification(t0, monkeypatch):
    """The check-then-insert race: the rival's row commits between our look (which saw nothing) and our insert."""
    rival = PhoneVerification.objects.create(
        purpose=VerificationPurpose.SIGNUP, phone=NEW_NUMBER, subject_key=f"signup:{NEW_NUMBER}:"
    )
    real_filter = PhoneVerification.objects.filter
    looks = []

    def look_too_early(*args, **kwargs):
        looks.append(kwargs)
        return PhoneVerification.objects.none() if len(looks) == 1 else real_filter(*args, **kwargs)

    monkeypatch.setattr(PhoneVerification.objects, "filter", look_too_early)
    started = start(t0)
    assert started.verification.pk == rival.pk
    assert PhoneVerification.objects.count() == 1
    assert VerificationTicket.objects.get().verification_id == rival.pk


@pytest.mark.skipif("connection.vendor == 'sqlite'", reason="SQLite runs one writer at a time anyway")
def test_concurrent_starts_for_one_number_never_pass_the_hourly_cap(t0, settings):
    """Eight requests at once for one number, no cooldown: the advisory lock lets exactly the cap through."""
    settings.BAWABA_CODE_RESEND_WAITS = [0]
    barrier = threading.Barrier(8)
    errors = []

    def go(index):
        try:
            barrier.wait()
            start(t0, address=f"203.0.113.{index}")
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=go, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert PhoneVerification.objects.count() == 1
    assert VerificationTicket.objects.count() == 8
    assert VerificationCode.objects.count() == 5


# late codes, expiry, single use


def test_a_late_code_still_works_after_a_resend(t0, outbox):
    started = start(t0)
    first_code = outbox.last_code()
    verification_resend(ticket=started.ticket, client_address=ADDRESS, now=later(t0, 40))
    assert len(set(outbox.codes())) == 2
    ticket = verification_check(ticket=started.ticket, code=first_code, now=later(t0, 60))
    verification = PhoneVerification.objects.get()
    assert verification.status == VerificationStatus.VERIFIED
    assert verification.verified_at == later(t0, 60)
    assert ticket.verified_at == later(t0, 60)
    assert list(VerificationCode.objects.values_list("used_at", flat=True)) == [later(t0, 60)] * 2


def test_an_expired_code_is_refused_as_expired_and_not_counted_as_wrong(t0, outbox):
    started = start(t0)
    with pytest.raises(CodeExpired):
        verification_check(ticket=started.ticket, code=outbox.last_code(), now=later(t0, 300))
    verification = PhoneVerification.objects.get()
    assert verification.status == VerificationStatus.PENDING
    assert verification.failed_attempts == 0


def test_a_code_works_once(t0, outbox, citizen):
    started = start(t0)
    code = outbox.last_code()
    verification_check(ticket=started.ticket, code=code, now=later(t0, 5))
    # The same ticket again: it already proved it (a double submit), nothing changes.
    assert verification_check(ticket=started.ticket, code=code, now=later(t0, 6)).verified_at == later(t0, 5)
    # Another ticket on the finished verification has nothing left to prove.
    other = VerificationTicket.objects.create(
        verification=started.verification, token_digest=code_rules.ticket_digest("x"), expires_at=later(t0, 999)
    )
    assert other.verified_at is None
    with pytest.raises(VerificationNotFound):
        verification_check(ticket="x", code=code, now=later(t0, 7))
    # A new verification of the same number does not accept the old code.
    again = start(later(t0, 60))
    assert again.verification.pk != started.verification.pk
    with pytest.raises(CodeInvalid):
        verification_check(ticket=again.ticket, code=code, now=later(t0, 61))


def test_the_code_of_one_number_does_not_prove_another(t0, outbox):
    mine = start(t0)
    theirs = start(t0, phone=OTHER_NUMBER)
    with pytest.raises(CodeInvalid):
        verification_check(ticket=theirs.ticket, code=outbox.last_code(NEW_NUMBER), now=later(t0, 5))
    assert PhoneVerification.objects.get(pk=theirs.verification.pk).status == VerificationStatus.PENDING
    verification_check(ticket=mine.ticket, code=outbox.last_code(NEW_NUMBER), now=later(t0, 6))


@pytest.mark.parametrize("ticket", ["", "not-a-ticket", "x" * 500])
def test_an_unknown_ticket_is_not_found(ticket):
    with pytest.raises(VerificationNotFound):
        verification_check(ticket=ticket, code="123456")


def test_a_ticket_ends_after_a_day(t0, outbox):
    started = start(t0)
    with pytest.raises(VerificationNotFound):
        verification_ticket_get(ticket=started.ticket, now=later(t0, 24 * 3600))


def test_a_ticket_works_only_for_the_purposes_its_caller_handles(t0, outbox):
    started = start(t0, purpose=VerificationPurpose.PHONE_CHANGE)
    with pytest.raises(VerificationNotFound):
        verification_check(
            ticket=started.ticket,
            code=outbox.last_code(),
            purposes={VerificationPurpose.SIGNUP, VerificationPurpose.RECOVERY},
            now=later(t0, 5),
        )
    assert PhoneVerification.objects.get().status == VerificationStatus.PENDING


def test_something_that_cannot_be_a_code_is_refused_without_counting(t0):
    started = start(t0)
    with translation.override("en"), pytest.raises(ValidationFailed) as refused:
        verification_check(ticket=started.ticket, code="12 34", now=later(t0, 5))
    assert refused.value.fields == {"code": ["Enter the 6 digits of the code."]}
    assert PhoneVerification.objects.get().failed_attempts == 0


def test_eastern_arabic_digits_prove_the_code(t0, outbox):
    started = start(t0)
    arabic = outbox.last_code().translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
    verification_check(ticket=started.ticket, code=f" {arabic[:3]} {arabic[3:]} ", now=later(t0, 5))
    assert PhoneVerification.objects.get().status == VerificationStatus.VERIFIED


def test_work_done_on_verification_happens_in_the_same_transaction(t0, outbox):
    started = start(t0)

    def fail(ticket):
        raise RuntimeError("the account could not be updated")

    with pytest.raises(RuntimeError):
        verification_check(ticket=started.ticket, code=outbox.last_code(), on_verified=fail, now=later(t0, 5))
    assert PhoneVerification.objects.get().status == VerificationStatus.PENDING
    assert VerificationCode.objects.get().used_at is None


# the resend cooldown


def test_the_resend_cooldown_grows_30_60_120_300_600_then_repeats(t0, outbox, settings):
    settings.BAWABA_CODES_PER_NUMBER_PER_HOUR = 100
    settings.BAWABA_CODES_PER_NUMBER_PER_DAY = 100
    started = start(t0)
    moment = t0
    for wait in [30, 60, 120, 300, 600, 600]:
        with pytest.raises(ResendNotYet) as early:
            verification_resend(ticket=started.ticket, client_address=ADDRESS, now=moment + dt.timedelta(seconds=1))
        assert early.value.data == {"retry_after": wait - 1}
        moment += dt.timedelta(seconds=wait)
        verification_resend(ticket=started.ticket, client_address=ADDRESS, now=moment)
    assert len(outbox.codes()) == 7
    assert PhoneVerification.objects.get().codes_sent == 7


def test_the_cooldown_starts_again_from_30_seconds_a_day_later(t0, outbox):
    started = start(t0)
    for seconds in (30, 90, 210):
        verification_resend(ticket=started.ticket, client_address=ADDRESS, now=later(t0, seconds))
    next_day = start(later(t0, 25 * 3600))
    assert next_day.code_sent is True
    assert PhoneVerification.objects.get().next_code_allowed_at == later(t0, 25 * 3600 + 30)


def test_a_refused_resend_sends_and_stores_nothing(t0, outbox):
    started = start(t0)
    with pytest.raises(ResendNotYet):
        verification_resend(ticket=started.ticket, client_address=ADDRESS, now=later(t0, 29))
    assert len(outbox.lines()) == 1
    assert VerificationCode.objects.count() == 1


# caps per number and per address


def test_at_most_five_codes_an_hour_to_one_number_whatever_the_purpose(t0, outbox, citizen):
    moments = [0, 30, 90, 210]
    started = start(t0)
    for seconds in moments[1:]:
        verification_resend(ticket=started.ticket, client_address=ADDRESS, now=later(t0, seconds))
    recovery = start(later(t0, 600), purpose=VerificationPurpose.RECOVERY)  # the fifth code
    assert recovery.code_sent is True
    with pytest.raises(CodeLimitReached) as capped:
        verification_resend(ticket=started.ticket, client_address=ADDRESS, now=later(t0, 1000))
    assert capped.value.data == {"retry_after": 3600 - 1000}  # when the first code leaves the hour
    state = verification_state(verification=started.verification, now=later(t0, 1000))
    assert state.codes_left_this_hour == 0
    assert state.resend_in == 2600
    assert len(outbox.codes()) == 5
    verification_resend(ticket=started.ticket, client_address=ADDRESS, now=later(t0, 3601))
    assert len(outbox.codes()) == 6


def test_a_start_held_back_by_the_cap_still_gives_a_ticket_and_says_when(t0, outbox, settings):
    settings.BAWABA_CODES_PER_NUMBER_PER_HOUR = 1
    start(t0)
    again = start(later(t0, 60))
    assert again.code_sent is False
    state = verification_state(verification=again.verification, now=later(t0, 60))
    assert state.resend_in == 3540
    assert state.codes_left_this_hour == 0
    assert len(outbox.codes()) == 1


def test_a_daily_cap_per_number(t0, outbox, settings):
    settings.BAWABA_CODES_PER_NUMBER_PER_DAY = 3
    settings.BAWABA_CODE_RESEND_WAITS = [60]
    started = start(t0)
    verification_resend(ticket=started.ticket, client_address=ADDRESS, now=later(t0, 60))
    verification_resend(ticket=started.ticket, client_address="192.0.2.1", now=later(t0, 7200))
    with pytest.raises(CodeLimitReached) as capped:
        verification_resend(ticket=started.ticket, client_address="192.0.2.2", now=later(t0, 14400))
    assert capped.value.data == {"retry_after": 86400 - 14400}
    assert len(outbox.codes()) == 3


def test_a_daily_cap_per_address_across_numbers(t0, outbox, settings):
    settings.BAWABA_CODES_PER_ADDRESS_PER_DAY = 2
    start(t0, phone="+9647701000001")
    start(later(t0, 10), phone="+9647701000002")
    third = start(later(t0, 20), phone="+9647701000003")
    assert third.code_sent is False
    with pytest.raises(CodeLimitReached) as capped:
        verification_resend(ticket=third.ticket, client_address=ADDRESS, now=later(t0, 30))
    assert capped.value.data == {"retry_after": 86400 - 30}
    # The same number from another address (the person moved to Wi-Fi) is not held back.
    verification_resend(ticket=third.ticket, client_address="192.0.2.50", now=later(t0, 40))
    assert len(outbox.codes()) == 3


def test_the_caps_hold_without_the_cache(t0, outbox, settings):
    """A cache that remembers nothing (a lost Redis) must not open the gate: the counts come from the database."""
    settings.BAWABA_CODES_PER_NUMBER_PER_HOUR = 1
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    start(t0)
    assert start(later(t0, 60)).code_sent is False
    assert VerificationCode.objects.count() == 1


# wrong codes


def test_wrong_codes_three_free_then_growing_waits_then_a_day_long_stop(t0, outbox):
    started = start(t0)
    good = outbox.last_code()
    wrong = "000000" if good != "000000" else "111111"
    moment = t0
    for attempt, wait in enumerate([0, 0, 0, 30, 60, 120, 240, 480, 960], start=1):
        with pytest.raises(CodeInvalid) as refused:
            verification_check(ticket=started.ticket, code=wrong, now=moment)
        assert refused.value.data == {"retry_after": wait, "attempts_left": 10 - attempt}
        if wait:
            # Even the right code is not looked at during the wait.
            with pytest.raises(TooManyAttempts) as held:
                verification_check(ticket=started.ticket, code=good, now=moment + dt.timedelta(seconds=wait - 1))
            assert held.value.data == {"retry_after": 1}
        moment += dt.timedelta(seconds=wait)
    with pytest.raises(TooManyAttempts) as stopped:
        verification_check(ticket=started.ticket, code=wrong, now=moment)
    assert stopped.value.data == {"retry_after": 86400}
    # The stop is this ticket's (and its address's); the verification only counts towards its ceiling.
    ticket = VerificationTicket.objects.get()
    assert (ticket.failed_attempts, ticket.attempts_blocked_until) == (10, moment + dt.timedelta(days=1))
    verification = PhoneVerification.objects.get()
    assert (verification.failed_attempts, verification.locked_until) == (10, None)
    assert verification.status == VerificationStatus.PENDING


def test_a_new_code_or_a_new_ticket_does_not_reset_the_wrong_codes(t0, outbox):
    started = start(t0)
    for _ in range(3):
        with pytest.raises(CodeInvalid):
            verification_check(
                ticket=started.ticket, code="999999" if outbox.last_code() != "999999" else "888888", now=later(t0, 1)
            )
    again = start(later(t0, 40))  # a new browser, and a new code
    assert again.code_sent is True
    with pytest.raises(CodeInvalid) as refused:
        verification_check(
            ticket=again.ticket, code=str((int(outbox.last_code()) + 1) % 10**6).zfill(6), now=later(t0, 41)
        )
    assert refused.value.data == {"retry_after": 30, "attempts_left": 6}
    assert PhoneVerification.objects.get().failed_attempts == 4


def test_a_locked_verification_sends_no_codes_until_the_day_is_over(t0, outbox, settings):
    settings.BAWABA_CODE_FREE_ATTEMPTS = 0
    settings.BAWABA_CODE_MAX_ATTEMPTS_PER_VERIFICATION = 1  # the ceiling over every ticket
    started = start(t0)
    wrong = str((int(outbox.last_code()) + 1) % 10**6).zfill(6)
    with pytest.raises(TooManyAttempts):
        verification_check(ticket=started.ticket, code=wrong, now=later(t0, 1))
    assert start(later(t0, 3600)).code_sent is False
    with pytest.raises(TooManyAttempts) as refused:
        verification_resend(ticket=started.ticket, client_address=ADDRESS, now=later(t0, 3600))
    assert refused.value.data == {"retry_after": 86400 + 1 - 3600}
    state = verification_state(verification=PhoneVerification.objects.get(), now=later(t0, 3600))
    assert state.is_locked is True
    assert state.attempts_wait == 86400 + 1 - 3600
    assert len(outbox.codes()) == 1
    # A day later it opens again, with a fresh code and its wrong codes forgotten.
    after = start(later(t0, 86402))
    assert after.code_sent is True
    verification_check(ticket=after.ticket, code=outbox.last_code(), now=later(t0, 86403))


# what the waiting page shows


def test_the_state_reports_delivery_in_plain_words(t0, outbox):
    started = start(t0)
    with translation.override("en"):
        state = verification_state(verification=started.verification, now=later(t0, 3))
        assert state.phone_masked == "+964 770 ••• 6543"
        assert state.delivery is not None
        assert (state.delivery.code, state.delivery.label) == ("sent", "Sent to your mobile operator")
        assert state.is_verified is False
        assert state.codes_left_this_hour == 4
        assert state.attempts_wait == 0
        Message.objects.update(status="failed")
        state = verification_state(verification=started.verification, now=later(t0, 3))
        assert (state.delivery.code, state.delivery.label) == ("not_delivered", "Not delivered")
        assert state.delivery.advice.startswith("Check that your phone is on")


def test_alternatives_are_those_enabled_and_really_available(t0, settings, tmp_path):
    started = start(t0)
    first = {"name": "first", "kind": "outbox", "channels": ["sms"], "options": {"path": str(tmp_path / "1.jsonl")}}
    second = {**first, "name": "second", "options": {"path": str(tmp_path / "2.jsonl")}}
    settings.BAWABA_VERIFICATION_ALTERNATIVES = ["sms_other", "voice", "whatsapp", "service_centre"]
    settings.BAWABA_NOTIFY_PROVIDERS = [first]
    assert verification_state(verification=started.verification, now=t0).alternatives == ()
    settings.BAWABA_NOTIFY_PROVIDERS = [first, second]
    assert verification_state(verification=started.verification, now=t0).alternatives == ("sms_other",)
    settings.BAWABA_VERIFICATION_ALTERNATIVES = ["voice"]
    assert verification_state(verification=started.verification, now=t0).alternatives == ()


def test_a_resend_through_another_provider_avoids_the_last_codes_provider(t0, settings, tmp_path, monkeypatch):
    settings.BAWABA_NOTIFY_PROVIDERS = [
        {"name": "first", "kind": "outbox", "channels": ["sms"], "options": {"path": str(tmp_path / "1.jsonl")}},
        {"name": "second", "kind": "outbox", "channels": ["sms"], "options": {"path": str(tmp_path / "2.jsonl")}},
    ]
    calls = []
    real_send = services.send

    def spy(template, **kwargs):
        calls.append(kwargs)
        return real_send(template, **kwargs)

    monkeypatch.setattr(services, "send", spy)
    started = start(t0)
    first_provider = Message.objects.get().provider
    assert first_provider in {"first", "second"}
    verification_resend(ticket=started.ticket, channel=CodeChannel.SMS_OTHER, client_address=ADDRESS, now=later(t0, 30))
    assert calls[0]["avoid_providers"] == ()
    assert calls[0]["channel"] is None
    assert calls[1]["avoid_providers"] == (first_provider,)
    assert VerificationCode.objects.order_by("created_at").last().channel == CodeChannel.SMS_OTHER


def test_a_channel_not_on_offer_is_refused(t0):
    started = start(t0)
    with pytest.raises(ValidationFailed) as refused:
        verification_resend(ticket=started.ticket, channel=CodeChannel.VOICE, client_address=ADDRESS, now=later(t0, 60))
    assert refused.value.code == "channel_unavailable"
    assert VerificationCode.objects.count() == 1
