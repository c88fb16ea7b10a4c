"""Browsers and sign-ins for the sessions tests."""

import pytest
from django.conf import settings
from django.shortcuts import resolve_url
from django.test import Client
from django.urls import NoReverseMatch, reverse

from tests.accounts.conftest import CITIZEN_PASSWORD

ANDROID_CHROME = (
    "Mozilla/5.0 (Linux; Android 13; SM-A145F) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.0.0 Mobile Safari/537.36"
)
WINDOWS_FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:125.0) Gecko/20100101 Firefox/125.0"
IPHONE_SAFARI = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.4 Mobile/15E148 Safari/604.1"
)

SESSIONS_URL = "/en/account/sessions/"
CONFIRM_URL = "/en/account/confirm/"
PASSWORD_URL = "/en/account/password/"


@pytest.fixture(autouse=True)
def _sign_in_page(settings):
    """The sign-in page belongs to another lane; until it exists, send people to its future address."""
    try:
        reverse(settings.LOGIN_URL)
    except NoReverseMatch:
        settings.LOGIN_URL = "/en/account/sign-in/"


def sign_in_url() -> str:
    return resolve_url(settings.LOGIN_URL)


@pytest.fixture
def browser(db):
    """A new browser (`browser()`), with its own cookies, user agent and address."""

    def open_browser(user_agent: str = ANDROID_CHROME, address: str = "198.51.100.7") -> Client:
        return Client(HTTP_USER_AGENT=user_agent, REMOTE_ADDR=address)

    return open_browser


def sign_in(client: Client, user, password: str = CITIZEN_PASSWORD) -> Client:
    """Signs `user` in on `client` through Django's login() (the page is another lane's)."""
    assert client.login(phone=user.phone, password=password)
    return client


def is_signed_in(client: Client) -> bool:
    """Asks a page only a signed-in person sees; a signed-out browser is sent to sign in."""
    response = client.get(SESSIONS_URL)
    if response.status_code == 200:
        return True
    assert response.status_code == 302
    assert response["Location"].startswith(sign_in_url())
    return False


def confirm_password(client: Client, password: str = CITIZEN_PASSWORD, next_url: str = PASSWORD_URL):
    return client.post(CONFIRM_URL, {"password": password, "next": next_url})
