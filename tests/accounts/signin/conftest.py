"""Helpers for the sign-in tests: a clean cache and signing in over HTTP (`clock` is in tests/accounts)."""

import copy
import uuid

import pytest
from django.test import Client

from bawaba.accounts.models import User

SIGN_IN_URL = "/en/account/sign-in/"


@pytest.fixture(autouse=True)
def _own_cache_keys(settings):
    """Each test counts failures under a key prefix of its own: it never sees another test's counts, even
    with tests running in parallel on one Redis database (where clearing the cache would empty it for all)."""
    caches = copy.deepcopy(settings.CACHES)
    caches["default"]["KEY_PREFIX"] = f"test-{uuid.uuid4().hex}"
    settings.CACHES = caches


def sign_in(client: Client, phone: str, password: str, **extra):
    return client.post(SIGN_IN_URL, {"phone": phone, "password": password, **extra.pop("data", {})}, **extra)


@pytest.fixture
def unverified_citizen(db):
    """Someone who started signing up and never entered the code."""
    user = User(username="c-unverified", full_name="Hadi Karim", phone="+9647511234567", preferred_language="ar")
    user.set_password("dates from Basra orchard")
    user.save()
    return user
