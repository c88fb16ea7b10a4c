"""People with second factors, codes from their authenticator app, and signed-in browsers."""

import copy
import time
import uuid

import pytest
from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from bawaba.accounts.second_factor.services import recovery_codes_create
from tests.accounts.conftest import CITIZEN_PASSWORD

SECURITY_URL = "/en/account/security/"


@pytest.fixture(autouse=True)
def _own_cache_keys(settings):
    """Each test counts failures under a key prefix of its own: it never sees another test's counts, even
    with tests running in parallel on one Redis database (where clearing the cache would empty it for all)."""
    caches = copy.deepcopy(settings.CACHES)
    caches["default"]["KEY_PREFIX"] = f"test-{uuid.uuid4().hex}"
    settings.CACHES = caches


def totp_code(device: TOTPDevice, *, steps_ahead: int = 0) -> str:
    """The code the person's app shows now (or a step later: a code is accepted only once per step)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():0{device.digits}d}"


@pytest.fixture
def authenticator(citizen):
    """The citizen's confirmed authenticator app."""
    return TOTPDevice.objects.create(user=citizen, name="Authenticator app", confirmed=True)


@pytest.fixture
def recovery_codes(citizen, authenticator):
    """The citizen's ten recovery codes, in clear (as shown to them once)."""
    return recovery_codes_create(user=citizen)


@pytest.fixture
def signed_in(citizen):
    """A browser where the citizen (no second factor yet) has just signed in."""
    client = Client()
    response = client.post("/en/account/sign-in/", {"phone": "07701234567", "password": CITIZEN_PASSWORD})
    assert response.status_code == 302
    return client
