"""Device cookies (OWASP, "Slow Down Online Guessing Attacks with Device Cookies"): a signed note, kept by a
browser that signed in to an account, saying "this browser signed in to this account before".

A family often shares one phone, so one cookie holds a few accounts: for each, the account's public id,
a random nonce (failures are counted per nonce, so one stolen or misused cookie is slowed down alone)
and when it was issued. The cookie is signed with the secret key, HttpOnly, Secure in production, and
holds nothing secret: signing in still needs the password.
"""

import datetime as dt
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from bawaba.accounts.models import User

COOKIE_NAME = "bawaba_device"
SALT = "bawaba.accounts.signin.device-cookie"
# How many accounts one browser remembers, and for how long after their last sign-in there.
ACCOUNTS_PER_COOKIE = 5
LIFETIME_SECONDS = 180 * 24 * 3600


@dataclass(frozen=True)
class DeviceEntry:
    public_id: str
    nonce: str
    issued_at: int


def device_entries(request: HttpRequest, *, now: dt.datetime | None = None) -> list[DeviceEntry]:
    """The cookie's valid entries, newest first; an unsigned, tampered or old cookie gives none."""
    raw = request.COOKIES.get(COOKIE_NAME)
    if not raw:
        return []
    try:
        value = signing.loads(raw, salt=SALT, max_age=LIFETIME_SECONDS)
    except signing.BadSignature:
        return []
    oldest = (now or timezone.now()).timestamp() - LIFETIME_SECONDS
    entries = []
    for item in value if isinstance(value, list) else []:
        if (
            isinstance(item, list)
            and len(item) == 3
            and isinstance(item[0], str)
            and isinstance(item[1], str)
            and isinstance(item[2], int)
            and item[2] >= oldest
        ):
            entries.append(DeviceEntry(*item))
    return entries[:ACCOUNTS_PER_COOKIE]


def device_nonce_for(request: HttpRequest, *, user: User, now: dt.datetime | None = None) -> str | None:
    """The nonce of this browser's device cookie for `user`, or None when it is not a trusted device for them."""
    public_id = str(user.public_id)
    return next((entry.nonce for entry in device_entries(request, now=now) if entry.public_id == public_id), None)


def device_cookie_set(
    response: HttpResponse, *, request: HttpRequest, user: User, now: dt.datetime | None = None
) -> None:
    """After a successful sign-in: a fresh entry (new nonce) for `user`, first in the list, the oldest dropped."""
    public_id = str(user.public_id)
    issued_at = int((now or timezone.now()).timestamp())
    entries = [DeviceEntry(public_id, secrets.token_urlsafe(16), issued_at)]
    entries += [entry for entry in device_entries(request, now=now) if entry.public_id != public_id]
    value = signing.dumps(
        [[entry.public_id, entry.nonce, entry.issued_at] for entry in entries[:ACCOUNTS_PER_COOKIE]],
        salt=SALT,
        compress=True,
    )
    response.set_cookie(
        COOKIE_NAME,
        value,
        max_age=LIFETIME_SECONDS,
        path="/",
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )
