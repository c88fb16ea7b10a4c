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


# --- verification lane: codes from the outbox, controlled time, built-in templates ---------------------

NEW_NUMBER = "+9647709876543"  # no account has it


@pytest.fixture
def builtin_templates(request):
    """Transactional tests empty every table; put the notification templates back (verification_code...)."""
    request.getfixturevalue("db")
    from bawaba.notifications.builtin_templates import install_builtin_templates

    install_builtin_templates()


@pytest.fixture
def outbox(settings):
    """What this test "sent", read from its outbox file as a phone would show it.

    Messages go out after their transaction commits: read it in `django_db(transaction=True)` tests."""
    import json
    import re
    from pathlib import Path

    class Outbox:
        def lines(self, to=None):
            path = Path(settings.BAWABA_OUTBOX_FILE)
            if not path.exists():
                return []
            found = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
            return [line for line in found if to is None or line["to"] == to]

        def codes(self, to=None):
            """Every one-time code sent (to `to`), oldest first."""
            return [
                match.group(1)
                for line in self.lines(to)
                if line.get("template") == "verification_code" and (match := re.search(r"(\d{6})", line["body"]))
            ]

        def last_code(self, to=None):
            codes = self.codes(to)
            assert codes, "no code was sent"
            return codes[-1]

    return Outbox()


@pytest.fixture
def clock(monkeypatch):
    """Time that moves only when the test says (`clock.advance(seconds=30)`), for code expiry and waits
    in HTTP tests. Services take `now=` instead; this is for what runs behind the test client."""
    import datetime as dt

    class Clock:
        def __init__(self):
            self.now = timezone.now().replace(microsecond=0)

        def __call__(self):
            return self.now

        def advance(self, **delta):
            self.now += dt.timedelta(**delta)

    frozen = Clock()
    monkeypatch.setattr(timezone, "now", frozen)
    return frozen
