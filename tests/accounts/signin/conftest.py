"""Helpers for the sign-in tests: a clean cache, a clock the services read, and signing in over HTTP."""

import datetime as dt

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from bawaba.accounts.models import User

SIGN_IN_URL = "/en/account/sign-in/"


@pytest.fixture(autouse=True)
def _clean_cache():
    cache.clear()
    yield
    cache.clear()


class Clock:
    """What django.utils.timezone.now() returns while the fixture is active; move it with `advance`."""

    def __init__(self) -> None:
        self.now = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += dt.timedelta(**delta)


@pytest.fixture
def clock(monkeypatch):
    fake = Clock()
    monkeypatch.setattr(timezone, "now", fake)
    return fake


def sign_in(client: Client, phone: str, password: str, **extra):
    return client.post(SIGN_IN_URL, {"phone": phone, "password": password, **extra.pop("data", {})}, **extra)


@pytest.fixture
def unverified_citizen(db):
    """Someone who started signing up and never entered the code."""
    user = User(username="c-unverified", full_name="Hadi Karim", phone="+9647511234567", preferred_language="ar")
    user.set_password("dates from Basra orchard")
    user.save()
    return user
