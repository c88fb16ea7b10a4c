"""Every signed-in request checks its session's row: timeouts, ending from elsewhere, key changes, last active."""

import datetime as dt
from importlib import import_module

import pytest
from django.conf import settings
from django.contrib.auth import login
from django.contrib.sessions.middleware import SessionMiddleware
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bawaba.accounts.models import AccountSession
from bawaba.accounts.sessions.constants import ACCOUNT_SESSION_KEY
from bawaba.accounts.signin.services import BACKEND
from tests.accounts.sessions.conftest import SESSIONS_URL, WINDOWS_FIREFOX, is_signed_in, sign_in

pytestmark = pytest.mark.django_db


def only_session_of(user) -> AccountSession:
    return AccountSession.objects.get(user=user)


def test_signing_in_creates_the_row_of_the_new_session(browser, citizen):
    client = sign_in(browser(), citizen)

    row = only_session_of(citizen)
    assert row.session_key == client.session.session_key
    assert row.ended_at is None
    assert client.session[ACCOUNT_SESSION_KEY] == row.pk


def test_signing_in_gives_a_new_session_key(browser, citizen):
    client = browser()
    anonymous = client.session
    anonymous["language_hint"] = "ar"
    anonymous.save()
    client.cookies[settings.SESSION_COOKIE_NAME] = anonymous.session_key

    sign_in(client, citizen)

    assert client.session.session_key != anonymous.session_key
    assert not Session.objects.filter(session_key=anonymous.session_key).exists()
    assert only_session_of(citizen).session_key == client.session.session_key


def test_the_first_request_records_address_and_browser(browser, citizen, clock):
    client = sign_in(browser(user_agent=WINDOWS_FIREFOX, address="203.0.113.9"), citizen)
    clock.advance(seconds=61)

    assert is_signed_in(client)

    row = only_session_of(citizen)
    assert (row.client_address, row.user_agent, row.last_seen_at) == ("203.0.113.9", WINDOWS_FIREFOX, clock.now)


def test_last_active_is_written_at_most_once_a_minute(browser, citizen, clock):
    client = sign_in(browser(), citizen)
    signed_in_at = clock.now

    for seconds in (10, 30, 59):
        clock.now = signed_in_at + dt.timedelta(seconds=seconds)
        with CaptureQueriesContext(connection) as queries:
            assert is_signed_in(client)
        assert not [q for q in queries if q["sql"].startswith('UPDATE "accounts_accountsession"')]
        assert only_session_of(citizen).last_seen_at == signed_in_at

    clock.now = signed_in_at + dt.timedelta(seconds=60)
    assert is_signed_in(client)
    assert only_session_of(citizen).last_seen_at == clock.now


def test_an_idle_session_ends_after_the_idle_limit(browser, citizen, clock):
    client = sign_in(browser(), citizen)
    clock.advance(seconds=settings.SESSION_COOKIE_AGE - 1)
    assert is_signed_in(client)

    clock.advance(seconds=settings.SESSION_COOKIE_AGE + 1)

    assert not is_signed_in(client)
    row = only_session_of(citizen)
    assert (row.ended_at, row.end_reason) == (clock.now, "idle")


def test_an_active_session_ends_at_its_absolute_lifetime(browser, citizen, clock):
    client = sign_in(browser(), citizen)
    signed_in_at = clock.now
    hour = 3600
    while (clock.now - signed_in_at).total_seconds() + hour < settings.BAWABA_SESSION_ABSOLUTE_SECONDS:
        clock.advance(seconds=hour)
        assert is_signed_in(client)
    clock.now = signed_in_at + dt.timedelta(seconds=settings.BAWABA_SESSION_ABSOLUTE_SECONDS - 1)
    assert is_signed_in(client)

    clock.advance(seconds=1)

    assert not is_signed_in(client)
    row = only_session_of(citizen)
    assert (row.ended_at, row.end_reason) == (clock.now, "absolute_limit")


def test_a_row_ended_elsewhere_ends_the_next_request(browser, citizen):
    """Even when the session store still holds the session (a cache that could not be reached)."""
    phone, laptop = sign_in(browser(), citizen), sign_in(browser(user_agent=WINDOWS_FIREFOX), citizen)
    laptop_key = laptop.session.session_key
    AccountSession.objects.filter(session_key=laptop_key).update(ended_at=timezone.now(), end_reason="test")

    assert not is_signed_in(laptop)
    assert is_signed_in(phone)
    assert not Session.objects.filter(session_key=laptop_key).exists()
    assert AccountSession.objects.get(session_key=laptop_key).end_reason == "test"


def test_a_signed_in_session_without_a_row_is_ended(browser, citizen):
    client = sign_in(browser(), citizen)
    AccountSession.objects.all().delete()

    assert not is_signed_in(client)


def test_signing_out_ends_the_row(browser, citizen):
    client = sign_in(browser(), citizen)

    client.logout()

    row = only_session_of(citizen)
    assert row.end_reason == "signed_out"
    assert row.ended_at is not None


def test_a_session_whose_store_entry_expired_is_ended_by_its_next_request(browser, citizen, clock):
    """The browser still sends the cookie; the store has forgotten the session: the row must agree."""
    client = sign_in(browser(), citizen)
    import_module(settings.SESSION_ENGINE).SessionStore(client.session.session_key).delete()

    assert not is_signed_in(client)
    assert only_session_of(citizen).end_reason == "no_longer_valid"


def test_a_deactivated_account_ends_its_sessions_rows(browser, citizen):
    client = sign_in(browser(), citizen)
    citizen.is_active = False
    citizen.save(update_fields=["is_active"])

    assert not is_signed_in(client)
    assert only_session_of(citizen).end_reason == "no_longer_valid"


def test_a_second_factor_passed_later_is_recorded(browser, citizen, monkeypatch):
    client = sign_in(browser(), citizen)
    assert only_session_of(citizen).with_second_factor is False
    monkeypatch.setattr("django_otp.middleware.is_verified", lambda user: True)

    assert is_signed_in(client)

    assert only_session_of(citizen).with_second_factor is True


def _request_with_session(session_key: str | None = None):
    request = RequestFactory().get("/", HTTP_USER_AGENT=WINDOWS_FIREFOX, REMOTE_ADDR="192.0.2.4")
    if session_key:
        request.COOKIES[settings.SESSION_COOKIE_NAME] = session_key
    SessionMiddleware(lambda r: None).process_request(request)
    return request


def test_signing_in_again_in_the_same_session_gets_a_new_key_and_row(citizen):
    request = _request_with_session()
    login(request, citizen, backend=BACKEND)
    first = only_session_of(citizen)
    first_key = request.session.session_key

    login(request, citizen, backend=BACKEND)

    first.refresh_from_db()
    second = AccountSession.objects.get(user=citizen, ended_at__isnull=True)
    assert first.end_reason == "signed_in_again"
    assert request.session.session_key not in (first_key, None)
    assert second.session_key == request.session.session_key


def test_another_person_signing_in_on_the_same_browser_ends_the_first_session(citizen, other_citizen):
    request = _request_with_session()
    login(request, citizen, backend=BACKEND)
    request.session.save()
    later = _request_with_session(request.session.session_key)
    later.user = citizen

    login(later, other_citizen, backend=BACKEND)

    assert only_session_of(citizen).end_reason == "replaced"
    mine = only_session_of(other_citizen)
    assert (mine.session_key, mine.ended_at) == (later.session.session_key, None)
    assert (mine.client_address, mine.user_agent) == ("192.0.2.4", WINDOWS_FIREFOX)


def test_requests_without_a_session_cookie_touch_no_session(client, db):
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/en/")
    assert response.status_code == 200
    assert not [q for q in queries if "accounts_accountsession" in q["sql"] or "django_session" in q["sql"]]


@pytest.mark.parametrize("url", [SESSIONS_URL])
def test_pages_of_a_signed_in_person_still_work(browser, citizen, url):
    assert sign_in(browser(), citizen).get(url).status_code == 200
