"""No anonymous answer tells whether a number has an account (decision 0010, security review F2).

The same sequences of sign-up, recovery, resend, status and wrong-code calls run against a registered
number and a free one, each from its own client and address, from the same frozen moment. Every answer
(status, Retry-After, JSON body, page HTML, redirect) must be the same once the masked number is taken out.
"""

import copy
import re
import uuid

import pytest
from django.test import Client

from bawaba.accounts.models import PhoneVerification

pytestmark = pytest.mark.django_db(transaction=True)

API = "/api/v1/accounts"
SIGNUP_PAGE = "/en/account/sign-up/"
RECOVER_PAGE = "/en/account/recover/"
VERIFY_PAGE = "/en/account/verify/"
RESEND_PAGE = "/en/account/verify/resend/"
STATUS_PAGE = "/en/account/verify/status/"
REGISTERED = "0770 123 4567"  # the `citizen` fixture's number
FREE = "0770 555 0101"
PASSWORD = "green tea at the souq"


@pytest.fixture(autouse=True)
def _own_cache_keys(settings, builtin_templates):
    """A key prefix of this test's own instead of clearing the cache: on one Redis database shared by
    parallel workers, clearing it would empty every other test's counters too."""
    caches = copy.deepcopy(settings.CACHES)
    caches["default"]["KEY_PREFIX"] = f"test-{uuid.uuid4().hex}"
    settings.CACHES = caches


def _comparable(text):
    text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", text)
    return re.sub(r"\+964 7\d\d ••• \d{4}", "NUMBER", text)


class Caller:
    """One anonymous person with an API client and a browser, running steps and writing down every answer."""

    def __init__(self, phone, address, outbox, clock):
        self.phone, self.outbox, self.clock = phone, outbox, clock
        self.api = Client(REMOTE_ADDR=address)
        self.browser = Client(REMOTE_ADDR=address)
        self.tickets = {}
        self.answers = []

    def _wrong_code(self):
        sent = set(self.outbox.codes())
        return next(code for code in ("000000", "111111", "222222") if code not in sent)

    def _note(self, step, response):
        content_type = response.get("Content-Type", "")
        body = response.json() if content_type.startswith("application/json") else response.content.decode()
        if isinstance(body, dict):
            body.pop("ticket", None)  # a random secret, different on every call
        self.answers.append(
            (step, response.status_code, response.get("Retry-After"), response.get("Location"), _comparable(str(body)))
        )

    def _post(self, path, body):
        return self.api.post(f"{API}{path}", body, content_type="application/json")

    def run(self, steps):
        for step in steps:
            verb, *args = step
            if verb == "advance":
                self.clock.advance(seconds=args[0])
                continue
            if verb == "signup":
                response = self._post("/signup", {"phone": self.phone, "full_name": "Any One", "password": PASSWORD})
                self.tickets[args[0]] = response.json().get("ticket")
            elif verb == "recovery":
                response = self._post("/recovery", {"phone": self.phone, "lang": "en"})
                self.tickets[args[0]] = response.json().get("ticket")
            elif verb == "wrong":
                response = self._post(
                    "/verification/verify", {"ticket": self.tickets[args[0]], "code": self._wrong_code()}
                )
            elif verb == "resend":
                response = self._post("/verification/resend", {"ticket": self.tickets[args[0]]})
            elif verb == "status":
                response = self.api.get(f"{API}/verification", headers={"X-Verification-Ticket": self.tickets[args[0]]})
            elif verb == "page_signup":
                response = self.browser.post(
                    SIGNUP_PAGE, {"phone": self.phone, "full_name": "Any One", "password": PASSWORD}
                )
            elif verb == "page_recover":
                response = self.browser.post(RECOVER_PAGE, {"phone": self.phone})
            elif verb == "page_verify":
                response = self.browser.get(VERIFY_PAGE)
            elif verb == "page_wrong":
                response = self.browser.post(VERIFY_PAGE, {"code": self._wrong_code()})
            elif verb == "page_resend":
                response = self.browser.post(RESEND_PAGE, follow=True)
            elif verb == "page_status":
                response = self.browser.get(STATUS_PAGE)
            else:
                raise AssertionError(verb)
            self._note(step, response)
        return self.answers


def _both(steps, *, outbox, clock):
    """The answers to `steps` for the registered number and for the free one, from the same moment."""
    start = clock.now
    registered = Caller(REGISTERED, "203.0.113.10", outbox, clock).run(steps)
    clock.now = start  # each run has its own address, so the cache's start limit counts them apart
    free = Caller(FREE, "203.0.113.20", outbox, clock).run(steps)
    return registered, free


WRONG_UNTIL_WAIT = [("wrong", "r")] * 4

SEQUENCES = {
    # The reviewer's: a recovery, wrong codes on it until a wait, then a sign-up.
    "review": [("recovery", "r"), *WRONG_UNTIL_WAIT, ("signup", "s"), ("status", "s"), ("status", "r")],
    "signup_then_recovery": [
        ("signup", "s"),
        ("recovery", "r"),
        ("resend", "s"),
        ("advance", 31),
        ("resend", "s"),
        ("resend", "r"),
        ("wrong", "s"),
        ("wrong", "s"),
        ("wrong", "s"),
        ("wrong", "s"),
        ("status", "r"),
        ("status", "s"),
        ("signup", "s2"),
        ("wrong", "s2"),
        ("status", "s2"),
        ("recovery", "r2"),
        ("status", "r2"),
    ],
    "until_the_caps": [
        *[step for _ in range(6) for step in (("signup", "s"), ("recovery", "r"), ("advance", 700))],
        ("resend", "s"),
        ("resend", "r"),
        ("status", "s"),
        ("status", "r"),
    ],
    "a_ticket_stopped": [
        ("recovery", "r"),
        *[step for _ in range(10) for step in (("wrong", "r"), ("advance", 3601))],
        ("wrong", "r"),
        ("resend", "r"),
        ("status", "r"),
        ("signup", "s"),
        ("recovery", "r2"),
        ("status", "s"),
        ("status", "r2"),
        ("wrong", "r2"),
    ],
    "pages": [
        ("page_recover",),
        ("page_verify",),
        ("page_wrong",),
        ("page_wrong",),
        ("page_wrong",),
        ("page_wrong",),
        ("page_status",),
        ("page_signup",),
        ("page_verify",),
        ("page_resend",),
        ("advance", 45),
        ("page_resend",),
        ("page_wrong",),
        ("page_status",),
        ("recovery", "r"),
        ("status", "r"),
    ],
}


@pytest.mark.parametrize("name", SEQUENCES)
def test_a_registered_and_a_free_number_get_the_same_answers(name, citizen, outbox, clock):
    registered, free = _both(SEQUENCES[name], outbox=outbox, clock=clock)
    assert len(registered) == len(free)
    for mine, theirs in zip(registered, free, strict=True):
        assert mine == theirs
    # The sequences did reach both kinds of answer, so the sameness is not that of two errors.
    assert {answer[1] for answer in registered} & {200, 202, 302}


def test_the_reviewers_sequence_leaves_the_same_figures(citizen, outbox, clock):
    registered, free = _both(SEQUENCES["review"], outbox=outbox, clock=clock)
    step, status, _retry, _location, body = registered[5]
    assert (step, status) == (("signup", "s"), 202)
    assert "'codes_left_this_hour': 3" in body
    assert registered[5] == free[5]


def test_sign_up_and_recovery_of_any_number_are_two_verifications_keyed_by_the_number(citizen, outbox, clock):
    _both([("signup", "s"), ("recovery", "r")], outbox=outbox, clock=clock)
    for phone in ("+9647701234567", "+9647705550101"):
        keys = sorted(PhoneVerification.objects.filter(phone=phone).values_list("subject_key", flat=True))
        assert keys == [f"recovery:{phone}:", f"signup:{phone}:"]
