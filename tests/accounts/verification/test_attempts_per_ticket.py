"""Wrong codes hold back the ticket (and address) that sent them, not the owner (security review F3), and the
per-address limits count an IPv6 client by its /64.

Decision 0010: per ticket and address, 3 free wrong codes, growing waits, a day-long stop at 10; per
verification a ceiling of 50 that no new ticket resets and that stops every ticket for a day.
"""

import copy
import datetime as dt
import uuid

import pytest
from django.test import Client
from django.utils import timezone

from bawaba.accounts.constants import VerificationPurpose
from bawaba.accounts.errors import CodeInvalid, TooManyAttempts
from bawaba.accounts.models import PhoneVerification, VerificationCode, VerificationTicket
from bawaba.accounts.verification import limits
from bawaba.accounts.verification.limits import start_rate_limit_check
from bawaba.accounts.verification.selectors import verification_state
from bawaba.accounts.verification.services import verification_check, verification_start
from bawaba.core.ratelimit import RateLimited

pytestmark = pytest.mark.django_db(transaction=True)

API = "/api/v1/accounts"
VERIFY_PAGE = "/en/account/verify/"
RECOVER_PAGE = "/en/account/recover/"
RECOVER_PASSWORD = "/en/account/recover/password/"
CITIZEN_NUMBER = "+9647701234567"
ATTACKER_ADDRESS = "203.0.113.9"
OWNER_ADDRESS = "198.51.100.7"


@pytest.fixture(autouse=True)
def _own_cache_keys(settings, builtin_templates):
    """A key prefix of this test's own instead of clearing the cache: on one Redis database shared by
    parallel workers, clearing it would empty every other test's counters too."""
    caches = copy.deepcopy(settings.CACHES)
    caches["default"]["KEY_PREFIX"] = f"test-{uuid.uuid4().hex}"
    settings.CACHES = caches


def post(client, path, body):
    return client.post(f"{API}{path}", body, content_type="application/json")


def wrong_code(outbox):
    sent = set(outbox.codes())
    return next(code for code in ("000000", "111111", "222222") if code not in sent)


def ten_spaced_wrong_codes(client, ticket, outbox, clock):
    """What an attacker can do in about ten hours: every wait is over before the next try."""
    answers = []
    for _ in range(10):
        response = post(client, "/verification/verify", {"ticket": ticket, "code": wrong_code(outbox)})
        answers.append((response.status_code, response.json()["code"], response.get("Retry-After")))
        clock.advance(seconds=3601)
    return answers


# the owner is not locked out


def test_an_attackers_wrong_codes_do_not_lock_the_owner_out(citizen, outbox, clock):
    attacker = Client(REMOTE_ADDR=ATTACKER_ADDRESS)
    ticket = post(attacker, "/recovery", {"phone": "0770 123 4567"}).json()["ticket"]
    answers = ten_spaced_wrong_codes(attacker, ticket, outbox, clock)
    assert answers[:9] == [(400, "code_invalid", None)] * 9
    assert answers[9] == (429, "too_many_attempts", "86400")
    # The owner asks for recovery from their own phone: a code comes, and it works.
    owner = Client(REMOTE_ADDR=OWNER_ADDRESS)
    started = post(owner, "/recovery", {"phone": "0770 123 4567", "lang": "en"}).json()
    state = started["verification"]
    assert (state["is_locked"], state["code_sent"], state["attempts_wait"]) == (False, True, 0)
    real = outbox.last_code(CITIZEN_NUMBER)
    response = post(owner, "/verification/verify", {"ticket": started["ticket"], "code": real})
    assert (response.status_code, response.json()) == (200, {"status": "verified", "next": "set_password"})


def test_the_attackers_own_ticket_stays_stopped_even_with_the_right_code(citizen, outbox, clock):
    attacker = Client(REMOTE_ADDR=ATTACKER_ADDRESS)
    ticket = post(attacker, "/recovery", {"phone": "0770 123 4567"}).json()["ticket"]
    ten_spaced_wrong_codes(attacker, ticket, outbox, clock)
    resent = post(attacker, "/verification/resend", {"ticket": ticket})
    assert (resent.status_code, resent.json()["code"]) == (429, "too_many_attempts")
    owner = Client(REMOTE_ADDR=OWNER_ADDRESS)
    post(owner, "/recovery", {"phone": "0770 123 4567"})
    response = post(attacker, "/verification/verify", {"ticket": ticket, "code": outbox.last_code(CITIZEN_NUMBER)})
    assert (response.status_code, response.json()["code"]) == (429, "too_many_attempts")
    assert PhoneVerification.objects.get(purpose=VerificationPurpose.RECOVERY).verified_at is None


def test_a_new_ticket_from_the_same_address_inherits_the_stop(citizen, outbox, clock):
    attacker = Client(REMOTE_ADDR=ATTACKER_ADDRESS)
    ticket = post(attacker, "/recovery", {"phone": "0770 123 4567"}).json()["ticket"]
    ten_spaced_wrong_codes(attacker, ticket, outbox, clock)
    again = post(attacker, "/recovery", {"phone": "0770 123 4567"}).json()
    assert again["verification"]["is_locked"] is True
    assert again["verification"]["code_sent"] is False  # a stopped address does not make the phone ring
    response = post(attacker, "/verification/verify", {"ticket": again["ticket"], "code": "123456"})
    assert (response.status_code, response.json()["code"]) == (429, "too_many_attempts")
    assert sorted(VerificationTicket.objects.values_list("failed_attempts", flat=True)) == [0, 10]


def test_the_owner_in_a_new_browser_proves_the_code_while_the_attacker_waits(citizen, outbox, clock):
    attacker = Client(REMOTE_ADDR=ATTACKER_ADDRESS)
    ticket = post(attacker, "/recovery", {"phone": "0770 123 4567"}).json()["ticket"]
    for wait in (0, 0, 0, 30, 60):  # three free, then waits of 30 s and 60 s, each waited out
        post(attacker, "/verification/verify", {"ticket": ticket, "code": wrong_code(outbox)})
        clock.advance(seconds=wait + 1)
    sixth = post(attacker, "/verification/verify", {"ticket": ticket, "code": wrong_code(outbox)})
    assert (sixth.status_code, sixth.json()["code"]) == (400, "code_invalid")
    blocked = post(attacker, "/verification/verify", {"ticket": ticket, "code": wrong_code(outbox)})
    assert (blocked.status_code, blocked.json()["code"], blocked["Retry-After"]) == (429, "too_many_attempts", "120")
    # Within those two minutes, the owner in another browser gets a code and it works at once.
    owner = Client(REMOTE_ADDR=OWNER_ADDRESS)
    response = owner.post(RECOVER_PAGE, {"phone": "0770 123 4567"})
    assert response["Location"] == VERIFY_PAGE
    response = owner.post(VERIFY_PAGE, {"code": outbox.last_code(CITIZEN_NUMBER)})
    assert response["Location"] == RECOVER_PASSWORD


# the ceiling per verification


def test_fifty_wrong_codes_from_any_tickets_stop_the_verification_for_a_day(outbox):
    t0 = timezone.now().replace(microsecond=0)
    moment = t0
    for address in range(5):  # five addresses, ten wrong codes each, every wait waited out
        started = verification_start(
            purpose=VerificationPurpose.RECOVERY,
            phone=CITIZEN_NUMBER,
            client_address=f"192.0.2.{address + 1}",
            language="en",
            now=moment,
        )
        for _attempt in range(10):
            with pytest.raises((CodeInvalid, TooManyAttempts)):
                verification_check(ticket=started.ticket, code=wrong_code(outbox), now=moment)
            moment += dt.timedelta(hours=1)
    verification = PhoneVerification.objects.get()
    assert verification.failed_attempts == 50
    assert verification.locked_until == moment - dt.timedelta(hours=1) + limits.LOCK
    # A fresh ticket from yet another address cannot reset it: no code is checked or sent.
    fresh = verification_start(
        purpose=VerificationPurpose.RECOVERY,
        phone=CITIZEN_NUMBER,
        client_address="192.0.2.99",
        language="en",
        now=moment,
    )
    assert fresh.code_sent is False
    with pytest.raises(TooManyAttempts):
        verification_check(ticket=fresh.ticket, code=outbox.last_code(), now=moment)
    ticket = VerificationTicket.objects.get(client_address="192.0.2.99")
    assert verification_state(verification=verification, ticket=ticket, now=moment).is_locked is True
    # After the day it opens again and the right code works.
    after = moment - dt.timedelta(hours=1) + limits.LOCK + dt.timedelta(seconds=1)
    again = verification_start(
        purpose=VerificationPurpose.RECOVERY,
        phone=CITIZEN_NUMBER,
        client_address="192.0.2.99",
        language="en",
        now=after,
    )
    assert again.code_sent is True
    verification_check(ticket=again.ticket, code=outbox.last_code(), now=after)


def test_the_ceiling_counts_afresh_only_after_a_day_without_a_wrong_code(outbox):
    t0 = timezone.now().replace(microsecond=0)
    started = verification_start(
        purpose=VerificationPurpose.SIGNUP, phone=CITIZEN_NUMBER, client_address="192.0.2.1", language="en", now=t0
    )
    with pytest.raises(CodeInvalid):
        verification_check(ticket=started.ticket, code=wrong_code(outbox), now=t0)
    with pytest.raises(CodeInvalid):
        verification_check(ticket=started.ticket, code=wrong_code(outbox), now=t0 + dt.timedelta(hours=23))
    assert PhoneVerification.objects.get().failed_attempts == 2
    later = t0 + dt.timedelta(hours=47, seconds=1)  # a day and a second after the last wrong code
    again = verification_start(
        purpose=VerificationPurpose.SIGNUP, phone=CITIZEN_NUMBER, client_address="192.0.2.1", language="en", now=later
    )
    with pytest.raises(CodeInvalid):
        verification_check(ticket=again.ticket, code=wrong_code(outbox), now=later)
    assert PhoneVerification.objects.get().failed_attempts == 1


# IPv6 clients counted by their /64


def test_an_ipv6_address_counts_as_its_64_and_ipv4_as_itself():
    assert limits.address_bucket("2001:db8:1:2:aaaa:bbbb:cccc:dddd") == "2001:db8:1:2::/64"
    assert limits.address_bucket("2001:DB8:1:2::1") == "2001:db8:1:2::/64"
    assert limits.address_bucket("::ffff:198.51.100.7") == "198.51.100.7"
    assert limits.address_bucket("198.51.100.7") == "198.51.100.7"
    assert limits.address_bucket("not an address") == "not an address"


def test_the_daily_code_cap_per_address_counts_a_whole_ipv6_64(outbox, settings):
    settings.BAWABA_CODES_PER_ADDRESS_PER_DAY = 2
    now = timezone.now()
    numbers = ["+9647701110001", "+9647701110002", "+9647701110003", "+9647701110004"]
    sent = [
        verification_start(
            purpose=VerificationPurpose.SIGNUP, phone=phone, client_address=address, language="en", now=now
        ).code_sent
        for phone, address in zip(
            numbers[:3], ["2001:db8:1:2::1", "2001:db8:1:2::2", "2001:db8:1:2:ffff::9"], strict=True
        )
    ]
    assert sent == [True, True, False]
    assert set(VerificationCode.objects.values_list("client_address", flat=True)) == {"2001:db8:1:2::/64"}
    other = verification_start(
        purpose=VerificationPurpose.SIGNUP, phone=numbers[3], client_address="2001:db8:1:3::1", language="en", now=now
    )
    assert other.code_sent is True


def test_the_daily_code_cap_per_address_keeps_ipv4_addresses_apart(outbox, settings):
    settings.BAWABA_CODES_PER_ADDRESS_PER_DAY = 1
    now = timezone.now()
    sent = [
        verification_start(
            purpose=VerificationPurpose.SIGNUP, phone=phone, client_address=address, language="en", now=now
        ).code_sent
        for phone, address in [
            ("+9647701110001", "198.51.100.7"),
            ("+9647701110002", "198.51.100.8"),
            ("+9647701110003", "198.51.100.7"),
        ]
    ]
    assert sent == [True, True, False]


def test_the_start_limit_counts_a_whole_ipv6_64(monkeypatch):
    monkeypatch.setattr(limits, "STARTS_PER_ADDRESS_PER_HOUR", 2)
    start_rate_limit_check(client_address="2001:db8:1:2::1")
    start_rate_limit_check(client_address="2001:db8:1:2::abcd")
    with pytest.raises(RateLimited):
        start_rate_limit_check(client_address="2001:db8:1:2:9::1")
    start_rate_limit_check(client_address="2001:db8:1:3::1")
    start_rate_limit_check(client_address="198.51.100.7")
    start_rate_limit_check(client_address="198.51.100.8")
