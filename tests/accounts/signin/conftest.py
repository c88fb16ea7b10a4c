"""Helpers for the sign-in tests: a clean cache and signing in over HTTP (`clock` is in tests/accounts)."""

import pytest
from django.core.cache import cache
from django.test import Client

from bawaba.accounts.models import User

SIGN_IN_URL = "/en/account/sign-in/"


@pytest.fixture(autouse=True)
def _clean_cache():
    cache.clear()
    yield
    cache.clear()


def sign_in(client: Client, phone: str, password: str, **extra):
    return client.post(SIGN_IN_URL, {"phone": phone, "password": password, **extra.pop("data", {})}, **extra)


@pytest.fixture
def unverified_citizen(db):
    """Someone who started signing up and never entered the code."""
    user = User(username="c-unverified", full_name="Hadi Karim", phone="+9647511234567", preferred_language="ar")
    user.set_password("dates from Basra orchard")
    user.save()
    return user
