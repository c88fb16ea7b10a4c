"""Counting wrong passwords and deciding how long to wait (docs/decisions/0011-sign-in-protection.md).

OWASP's "device cookies" scheme: a browser that signed in to an account before holds a device cookie for
it (`device_cookies`), and its failures are counted for that cookie alone. Everybody else's failures are
counted for the number: on the account (`User.failed_sign_ins`, so a lost cache never lifts the wait) or,
for a number without an account, in the cache under the same rule, so the answers never tell the two
apart. A few free failures, then a wait that doubles with each further failure up to an hour; failures
are forgotten a day after the last one. An attacker can slow down strangers' tries at a number, never
the owner's own phone, and nothing is ever locked for good.

The per-address limit is generous because thousands of phones share one address behind a mobile
operator's carrier-grade NAT; it only stops one machine from guessing at many numbers.
"""

import dataclasses
import datetime as dt
import hashlib
import logging
import math
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import F

from bawaba.accounts.models import User
from bawaba.core.ratelimit import RateLimited, rate_limit_check

logger = logging.getLogger(__name__)


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def free_failures() -> int:
    return _setting("BAWABA_SIGN_IN_FREE_FAILURES", 5)


def first_wait_seconds() -> int:
    return _setting("BAWABA_SIGN_IN_FIRST_WAIT_SECONDS", 60)


def longest_wait_seconds() -> int:
    return _setting("BAWABA_SIGN_IN_LONGEST_WAIT_SECONDS", 3600)


def failure_memory_seconds() -> int:
    return _setting("BAWABA_SIGN_IN_FAILURE_MEMORY_SECONDS", 24 * 3600)


def address_failure_limit() -> int:
    return _setting("BAWABA_SIGN_IN_FAILURES_PER_ADDRESS", 100)


def address_window_seconds() -> int:
    return _setting("BAWABA_SIGN_IN_ADDRESS_WINDOW_SECONDS", 15 * 60)


def wait_after(failures: int) -> int:
    """Seconds to wait after `failures` failures in a row: none for the free ones, then 1, 2, 4... minutes."""
    if failures < free_failures():
        return 0
    return min(first_wait_seconds() * 2 ** min(failures - free_failures(), 20), longest_wait_seconds())


@dataclasses.dataclass(frozen=True)
class Failures:
    count: int
    last_at: dt.datetime | None

    def current(self, now: dt.datetime) -> int:
        """The count, or 0 once the last failure is old enough to be forgotten."""
        if self.last_at is None or (now - self.last_at).total_seconds() > failure_memory_seconds():
            return 0
        return self.count

    def retry_after(self, now: dt.datetime) -> int:
        """Whole seconds until the next try is allowed (0: now)."""
        count = self.current(now)
        if count == 0 or self.last_at is None:
            return 0
        remaining = (self.last_at - now).total_seconds() + wait_after(count)
        return max(0, math.ceil(remaining))


def _key(kind: str, identity: str) -> str:
    return f"signin:{kind}:{hashlib.sha256(identity.encode()).hexdigest()[:32]}"


def _cache_get(key: str) -> Any:
    try:
        return cache.get(key)
    except Exception:
        # As bawaba.core.ratelimit: a lost cache lets people through rather than locking everybody out.
        logger.warning("sign-in throttling cache unavailable", exc_info=True)
        return None


def _cache_set(key: str, value: Any, timeout: int) -> None:
    try:
        cache.set(key, value, timeout=timeout)
    except Exception:
        logger.warning("sign-in throttling cache unavailable", exc_info=True)


def _cached_failures(key: str) -> Failures:
    value = _cache_get(key)
    if not (isinstance(value, list | tuple) and len(value) == 2):
        return Failures(0, None)
    count, timestamp = value
    return Failures(int(count), dt.datetime.fromtimestamp(float(timestamp), tz=dt.UTC))


def _cached_failure_add(key: str, now: dt.datetime) -> Failures:
    failures = Failures(_cached_failures(key).current(now) + 1, now)
    _cache_set(key, (failures.count, now.timestamp()), failure_memory_seconds())
    return failures


# The number (clients without a device cookie for the account)


def number_failures(*, phone: str, user: User | None) -> Failures:
    if user is not None:
        return Failures(user.failed_sign_ins, user.last_failed_sign_in_at)
    return _cached_failures(_key("number", phone))


def number_failure_add(*, phone: str, user: User | None, now: dt.datetime) -> Failures:
    if user is None:
        return _cached_failure_add(_key("number", phone), now)
    with transaction.atomic():
        locked = User.objects.select_for_update().only("failed_sign_ins", "last_failed_sign_in_at").get(pk=user.pk)
        if Failures(locked.failed_sign_ins, locked.last_failed_sign_in_at).current(now) == 0:
            User.objects.filter(pk=user.pk).update(failed_sign_ins=1, last_failed_sign_in_at=now)
        else:
            User.objects.filter(pk=user.pk).update(failed_sign_ins=F("failed_sign_ins") + 1, last_failed_sign_in_at=now)
        locked.refresh_from_db(fields=["failed_sign_ins", "last_failed_sign_in_at"])
    user.failed_sign_ins, user.last_failed_sign_in_at = locked.failed_sign_ins, locked.last_failed_sign_in_at
    return Failures(locked.failed_sign_ins, locked.last_failed_sign_in_at)


def number_failures_clear(*, user: User) -> None:
    User.objects.filter(pk=user.pk).exclude(failed_sign_ins=0, last_failed_sign_in_at__isnull=True).update(
        failed_sign_ins=0, last_failed_sign_in_at=None
    )
    user.failed_sign_ins, user.last_failed_sign_in_at = 0, None


# One device cookie (a browser the account signed in from before)


def device_failures(*, nonce: str) -> Failures:
    return _cached_failures(_key("device", nonce))


def device_failure_add(*, nonce: str, now: dt.datetime) -> Failures:
    return _cached_failure_add(_key("device", nonce), now)


# The client's address (clients without a device cookie for the account)


def address_retry_after(*, address: str, now: dt.datetime) -> int:
    until = _cache_get(_key("address-blocked", address))
    if not isinstance(until, int | float):
        return 0
    return max(0, math.ceil(until - now.timestamp()))


def address_failure_add(*, address: str, now: dt.datetime) -> int:
    """Count a failure from `address`; once too many, its clients wait for the window. Returns that wait."""
    window = address_window_seconds()
    try:
        rate_limit_check(
            scope="sign-in-failures", identity=address, limit=address_failure_limit(), window_seconds=window
        )
    except RateLimited:
        _cache_set(_key("address-blocked", address), now.timestamp() + window, window)
        return window
    return 0


# The second step (a code after the right password), counted per account


def second_factor_failures(*, user: User) -> Failures:
    return _cached_failures(_key("second-factor", str(user.pk)))


def second_factor_failure_add(*, user: User, now: dt.datetime) -> Failures:
    return _cached_failure_add(_key("second-factor", str(user.pk)), now)


def second_factor_failures_clear(*, user: User) -> None:
    try:
        cache.delete(_key("second-factor", str(user.pk)))
    except Exception:
        logger.warning("sign-in throttling cache unavailable", exc_info=True)
