"""Helpers for the phone change tests (the people and the outbox are in tests/accounts/conftest.py)."""

import pytest
from django.test import Client
from django.utils import timezone

from bawaba.accounts.models import User
from tests.accounts.sessions.conftest import ANDROID_CHROME, sign_in  # noqa: F401 - shared with these tests

PHONE_URL = "/en/account/phone/"
VERIFY_URL = "/en/account/phone/verify/"
RESEND_URL = "/en/account/phone/resend/"
DONE_URL = "/en/account/phone/done/"


@pytest.fixture
def third_citizen(db):
    """Someone whose change goes to a number nobody has, beside the citizen's to a taken one."""
    user = User(
        username="c-third",
        full_name="Huda Kareem",
        phone="+9647511234567",
        phone_verified_at=timezone.now(),
        preferred_language="ar",
    )
    user.set_password("dates from Basra are sweet")
    user.save()
    return user


def confirmed_browser(user, password: str) -> Client:
    """A browser signed in as `user` that has just confirmed the password (ready for sensitive changes)."""
    client = Client(HTTP_USER_AGENT=ANDROID_CHROME, REMOTE_ADDR="198.51.100.7")
    sign_in(client, user, password)
    response = client.post("/en/account/confirm/", {"password": password, "next": PHONE_URL})
    assert response.status_code == 302
    return client
