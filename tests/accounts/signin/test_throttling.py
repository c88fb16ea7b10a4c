"""Guessing passwords is slowed down without letting an attacker lock a citizen out (decision 0011).

The matrix: untrusted clients (no device cookie for the account) share one count per number; the owner's
browsers that signed in before (device cookies) are counted alone; addresses have a generous limit.
"""

import re

import pytest
from django.test import Client

from bawaba.accounts.constants import AccountEventKind
from bawaba.accounts.models import AccountEvent, User
from bawaba.accounts.signin.device_cookies import COOKIE_NAME
from tests.accounts.conftest import CITIZEN_PASSWORD
from tests.accounts.signin.conftest import sign_in

NUMBER = "07701234567"


def _attacker(address: str) -> Client:
    return Client(REMOTE_ADDR=address)


def _trusted_device(citizen: User) -> Client:
    """The owner's phone: it signed in once, then signed out; the device cookie stays."""
    phone = Client(REMOTE_ADDR="10.9.9.9")
    assert sign_in(phone, NUMBER, CITIZEN_PASSWORD).status_code == 302
    phone.post("/en/account/sign-out/")
    return phone


def _comparable(response, typed: str) -> str:
    html = response.content.decode().replace(typed, "NUMBER")
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "CSRF", html)


def _attack(times: int, *, number: str = NUMBER, first_address: int = 1) -> list:
    return [
        sign_in(_attacker(f"10.0.{index // 250}.{index % 250 + 1}"), number, f"guess number {index}")
        for index in range(first_address, first_address + times)
    ]


def test_five_free_failures_then_a_minute_to_wait(clock, citizen):
    responses = _attack(5)
    assert [response.status_code for response in responses] == [400] * 5
    assert "Please wait" not in responses[3].content.decode()
    # The fifth failure starts the wait, and says so.
    assert "Please wait 1 minute, then try again." in responses[4].content.decode()
    citizen.refresh_from_db()
    assert citizen.failed_sign_ins == 5
    assert citizen.last_failed_sign_in_at == clock.now
    refused = sign_in(_attacker("10.5.5.5"), NUMBER, CITIZEN_PASSWORD)  # even the right password
    assert refused.status_code == 429
    assert refused["Retry-After"] == "60"
    html = refused.content.decode()
    assert "Too many tries. Please wait, then try again." in html
    assert "Please wait 1 minute, then try again." in html
    # A refusal checks nothing and counts nothing.
    citizen.refresh_from_db()
    assert citizen.failed_sign_ins == 5
    assert AccountEvent.objects.filter(user=citizen, kind=AccountEventKind.SIGN_IN_FAILED).count() == 5


def test_the_wait_doubles_up_to_an_hour_and_failures_are_forgotten_after_a_day(clock, citizen):
    _attack(5)
    waits = []
    for index in range(8):
        clock.advance(hours=1)
        response = _attack(1, first_address=100 + index)[0]
        waits.append(re.search(r"Please wait (\d+ minutes?), then", response.content.decode())[1])
    assert waits == [
        "2 minutes",
        "4 minutes",
        "8 minutes",
        "16 minutes",
        "32 minutes",
        "60 minutes",
        "60 minutes",
        "60 minutes",
    ]
    clock.advance(hours=24, seconds=1)
    response = sign_in(_attacker("10.7.7.7"), NUMBER, "one more guess")
    assert response.status_code == 400
    assert "Please wait" not in response.content.decode()
    citizen.refresh_from_db()
    assert citizen.failed_sign_ins == 1


def test_an_attack_from_many_addresses_never_stops_the_owners_trusted_phone(clock, citizen):
    phone = _trusted_device(citizen)
    attack = _attack(30)
    assert {response.status_code for response in attack[6:]} == {429}
    response = sign_in(phone, NUMBER, CITIZEN_PASSWORD)
    assert response.status_code == 302
    assert phone.session["_auth_user_id"] == str(citizen.pk)


def test_the_owner_on_a_new_phone_after_an_attack_waits_then_gets_in(clock, citizen):
    _attack(5)
    for index, wait in enumerate([60, 120, 240]):
        clock.advance(seconds=wait)
        _attack(1, first_address=10 + index)
    new_phone = Client(REMOTE_ADDR="10.200.0.1")
    refused = sign_in(new_phone, NUMBER, CITIZEN_PASSWORD)
    assert refused.status_code == 429
    assert refused["Retry-After"] == "480"
    clock.advance(seconds=480)
    response = sign_in(new_phone, NUMBER, CITIZEN_PASSWORD)
    assert response.status_code == 302
    citizen.refresh_from_db()
    assert citizen.failed_sign_ins == 0  # a success clears the count
    assert citizen.last_failed_sign_in_at is None


def test_a_trusted_phones_own_mistakes_are_counted_for_that_phone_alone(clock, citizen):
    phone = _trusted_device(citizen)
    laptop = _trusted_device(citizen)
    for _ in range(5):
        assert sign_in(phone, NUMBER, "my fingers slipped").status_code == 400
    assert sign_in(phone, NUMBER, CITIZEN_PASSWORD).status_code == 429
    citizen.refresh_from_db()
    assert citizen.failed_sign_ins == 0  # strangers are not slowed down by the owner's typing
    events = AccountEvent.objects.filter(user=citizen, kind=AccountEventKind.SIGN_IN_FAILED)
    assert [event.data for event in events] == [{"step": "password", "trusted_device": True}] * 5
    assert sign_in(laptop, NUMBER, CITIZEN_PASSWORD).status_code == 302
    assert sign_in(Client(), NUMBER, CITIZEN_PASSWORD).status_code == 302
    clock.advance(seconds=60)
    assert sign_in(phone, NUMBER, CITIZEN_PASSWORD).status_code == 302


def test_a_device_cookie_for_another_account_is_not_trusted_for_this_one(clock, citizen, other_citizen):
    family_phone = Client()
    assert sign_in(family_phone, "07801234567", "another long passphrase").status_code == 302
    family_phone.post("/en/account/sign-out/")
    _attack(5)
    assert sign_in(family_phone, NUMBER, CITIZEN_PASSWORD).status_code == 429


def test_one_browser_remembers_several_accounts(clock, citizen, other_citizen):
    family_phone = Client()
    for number, password in [(NUMBER, CITIZEN_PASSWORD), ("07801234567", "another long passphrase")]:
        assert sign_in(family_phone, number, password).status_code == 302
        family_phone.post("/en/account/sign-out/")
    _attack(6)
    _attack(6, number="07801234567", first_address=50)
    assert sign_in(family_phone, NUMBER, CITIZEN_PASSWORD).status_code == 302
    family_phone.post("/en/account/sign-out/")
    assert sign_in(family_phone, "07801234567", "another long passphrase").status_code == 302


@pytest.mark.parametrize("cookie", ["garbage", "W1siYWJjIiwiZGVmIiwxXV0:1tampered:signature"])
def test_a_forged_device_cookie_is_not_trusted(clock, citizen, cookie):
    _attack(5)
    client = Client()
    client.cookies[COOKIE_NAME] = cookie
    assert sign_in(client, NUMBER, CITIZEN_PASSWORD).status_code == 429


def test_an_expired_device_cookie_is_not_trusted(clock, citizen):
    phone = _trusted_device(citizen)
    _attack(5)
    clock.advance(days=181)
    # Half a year later the attack is forgotten too; start another one.
    _attack(5, first_address=80)
    assert sign_in(phone, NUMBER, CITIZEN_PASSWORD).status_code == 429


def test_a_number_without_an_account_is_throttled_exactly_like_one_with(clock, citizen):
    known = _attack(6)
    unknown = _attack(6, number="07709998888", first_address=100)
    assert [response.status_code for response in known] == [response.status_code for response in unknown]
    assert _comparable(known[-1], NUMBER) == _comparable(unknown[-1], "07709998888")
    assert known[-1]["Retry-After"] == unknown[-1]["Retry-After"] == "60"


def test_one_address_guessing_at_many_numbers_is_stopped(clock, settings, citizen):
    settings.BAWABA_SIGN_IN_FAILURES_PER_ADDRESS = 3
    machine = Client(REMOTE_ADDR="203.0.113.7")
    statuses = [sign_in(machine, f"0770999{index:04d}", "guess").status_code for index in range(5)]
    assert statuses == [400, 400, 400, 400, 429]
    # The fourth failure passed the limit: the address waits for the window (15 minutes).
    refused = sign_in(Client(REMOTE_ADDR="203.0.113.7"), NUMBER, CITIZEN_PASSWORD)
    assert refused.status_code == 429
    assert refused["Retry-After"] == "900"
    # Others behind other addresses are not affected, and neither is the owner's trusted phone on that address.
    assert sign_in(Client(REMOTE_ADDR="203.0.113.8"), "07801234567", "wrong").status_code == 400


def test_the_owners_trusted_phone_behind_a_busy_address_still_gets_in(clock, settings, citizen):
    settings.BAWABA_SIGN_IN_FAILURES_PER_ADDRESS = 3
    phone = _trusted_device(citizen)
    phone.defaults["REMOTE_ADDR"] = "203.0.113.7"
    for index in range(5):
        sign_in(Client(REMOTE_ADDR="203.0.113.7"), f"0770999{index:04d}", "guess")
    assert sign_in(Client(REMOTE_ADDR="203.0.113.7"), NUMBER, CITIZEN_PASSWORD).status_code == 429
    assert sign_in(phone, NUMBER, CITIZEN_PASSWORD).status_code == 302


def test_a_lost_cache_lets_people_sign_in(clock, citizen, monkeypatch):
    from django.core.cache import caches

    def broken(*args, **kwargs):
        raise ConnectionError("redis is down")

    backend = caches["default"]
    for method in ("get", "set", "add", "incr", "delete"):
        monkeypatch.setattr(backend, method, broken)
    assert sign_in(Client(), NUMBER, "wrong password").status_code == 400
    assert sign_in(Client(), NUMBER, CITIZEN_PASSWORD).status_code == 302
