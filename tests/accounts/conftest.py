"""People for the accounts tests. Lanes append their own fixtures below."""

import pytest
from django.utils import timezone

from bawaba.accounts.models import User

CITIZEN_PASSWORD = "rain over Basra 1987"


@pytest.fixture
def citizen(db):
    """A citizen with a verified number and a password, no second factor."""
    user = User(
        username="c-citizen",
        full_name="Zainab Ali",
        phone="+9647701234567",
        phone_verified_at=timezone.now(),
        preferred_language="ar",
    )
    user.set_password(CITIZEN_PASSWORD)
    user.save()
    return user


@pytest.fixture
def other_citizen(db):
    user = User(
        username="c-other",
        full_name="Omar Hassan",
        phone="+9647801234567",
        phone_verified_at=timezone.now(),
        preferred_language="ckb",
    )
    user.set_password("another long passphrase")
    user.save()
    return user
