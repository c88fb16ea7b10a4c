"""The list of signed-in sessions: what it shows, ending one, signing out everywhere (else), and nobody else's."""

import pytest
from django.test import Client

from bawaba.accounts.constants import AccountEventKind
from bawaba.accounts.models import AccountEvent, AccountSession
from bawaba.accounts.sessions.selectors import session_handle
from tests.accounts.sessions.conftest import (
    IPHONE_SAFARI,
    SESSIONS_URL,
    WINDOWS_FIREFOX,
    is_signed_in,
    sign_in,
    sign_in_url,
)

pytestmark = pytest.mark.django_db

END_URL = "/en/account/sessions/end/"
EVERYWHERE_URL = "/en/account/sessions/sign-out-everywhere/"


def handle_of(client: Client) -> str:
    return session_handle(AccountSession.objects.get(session_key=client.session.session_key).pk)


@pytest.fixture
def three_devices(browser, citizen, clock):
    """The citizen signed in on a phone, a laptop and an iPhone, each used once a minute after signing in."""
    devices = (
        sign_in(browser(address="198.51.100.7"), citizen),
        sign_in(browser(user_agent=WINDOWS_FIREFOX, address="203.0.113.9"), citizen),
        sign_in(browser(user_agent=IPHONE_SAFARI, address="192.0.2.44"), citizen),
    )
    clock.advance(seconds=61)
    for device in devices:
        assert is_signed_in(device)
    return devices


def test_the_list_names_each_device_in_plain_words(three_devices):
    phone, _laptop, _iphone = three_devices

    response = phone.get(SESSIONS_URL)

    items = response.context["sessions"]
    assert [(item.device, item.client_address, item.is_current) for item in items] == [
        ("Chrome on Android", "198.51.100.7", True),
        ("Safari on iPhone", "192.0.2.44", False),
        ("Firefox on Windows", "203.0.113.9", False),
    ]
    page = response.content.decode()
    assert "This device" in page
    assert "Firefox on Windows" in page
    assert "Sign out everywhere else" in page


def test_the_list_leaves_out_ended_sessions_and_other_peoples(three_devices, browser, other_citizen):
    phone, laptop, _iphone = three_devices
    sign_in(browser(), other_citizen, password="another long passphrase")
    laptop.logout()

    items = phone.get(SESSIONS_URL).context["sessions"]

    assert [item.device for item in items] == ["Chrome on Android", "Safari on iPhone"]


def test_ending_another_device_signs_it_out(three_devices):
    phone, laptop, iphone = three_devices
    laptop_key = laptop.session.session_key

    response = phone.post(END_URL, {"session": handle_of(laptop)})

    assert (response.status_code, response["Location"]) == (302, SESSIONS_URL)
    assert not is_signed_in(laptop)
    assert is_signed_in(phone)
    assert is_signed_in(iphone)
    assert AccountSession.objects.get(session_key=laptop_key).end_reason == "ended_by_owner"


def test_ending_this_device_from_the_list_signs_it_out(three_devices):
    phone, _laptop, iphone = three_devices

    response = phone.post(END_URL, {"session": handle_of(phone)})

    assert response["Location"] == "/en/account/sessions/signed-out/"
    assert not is_signed_in(phone)
    assert is_signed_in(iphone)


def test_nobody_can_end_another_persons_session(three_devices, browser, other_citizen):
    _phone, laptop, _iphone = three_devices
    intruder = sign_in(browser(), other_citizen, password="another long passphrase")
    before = list(AccountSession.objects.order_by("pk").values_list("pk", "ended_at", "end_reason"))

    response = intruder.post(END_URL, {"session": handle_of(laptop)})

    assert response.status_code == 404
    assert list(AccountSession.objects.order_by("pk").values_list("pk", "ended_at", "end_reason")) == before
    assert is_signed_in(laptop)


@pytest.mark.parametrize("handle", ["", "1", "not-a-handle", "x" * 65])
def test_an_unknown_session_is_not_found(three_devices, handle):
    phone = three_devices[0]
    assert phone.post(END_URL, {"session": handle}).status_code == 404
    assert AccountSession.objects.filter(ended_at__isnull=True).count() == 3


def test_sign_out_everywhere_else_keeps_this_device(three_devices, citizen):
    phone, laptop, iphone = three_devices

    response = phone.post(EVERYWHERE_URL, {"keep_this_device": "1"})

    assert response["Location"] == SESSIONS_URL
    assert is_signed_in(phone)
    assert not is_signed_in(laptop)
    assert not is_signed_in(iphone)
    event = AccountEvent.objects.get(user=citizen, kind=AccountEventKind.SIGNED_OUT_EVERYWHERE)
    assert event.data == {"kept_this_device": True}
    assert list(AccountSession.objects.filter(ended_at__isnull=False).values_list("end_reason", flat=True)) == [
        "signed_out_everywhere",
        "signed_out_everywhere",
    ]


def test_sign_out_everywhere_ends_this_device_too(three_devices, citizen):
    phone, laptop, iphone = three_devices

    response = phone.post(EVERYWHERE_URL)

    assert response["Location"] == "/en/account/sessions/signed-out/?everywhere=1"
    assert not any(is_signed_in(device) for device in (phone, laptop, iphone))
    assert not AccountSession.objects.filter(ended_at__isnull=True).exists()
    assert AccountEvent.objects.get(user=citizen, kind=AccountEventKind.SIGNED_OUT_EVERYWHERE).data == {
        "kept_this_device": False
    }
    assert "every phone and computer" in phone.get(response["Location"]).content.decode()


def test_signing_out_everywhere_leaves_other_people_signed_in(three_devices, browser, other_citizen):
    neighbour = sign_in(browser(), other_citizen, password="another long passphrase")

    three_devices[0].post(EVERYWHERE_URL)

    assert is_signed_in(neighbour)


@pytest.mark.parametrize("url", [END_URL, EVERYWHERE_URL])
def test_ending_sessions_needs_a_post(three_devices, url):
    assert three_devices[0].get(url).status_code == 405
    assert AccountSession.objects.filter(ended_at__isnull=True).count() == 3


@pytest.mark.parametrize("url", [SESSIONS_URL, END_URL, EVERYWHERE_URL])
def test_anonymous_people_are_sent_to_sign_in(client, db, url):
    response = client.post(url) if url != SESSIONS_URL else client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(sign_in_url())


def test_ending_sessions_needs_the_csrf_token(citizen):
    careful = Client(enforce_csrf_checks=True)
    sign_in(careful, citizen)

    assert careful.post(EVERYWHERE_URL).status_code == 403
    assert AccountSession.objects.get(user=citizen).ended_at is None
