"""Reading signed-in sessions: a person's own list, and the limits every session lives by."""

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from bawaba.accounts.models import AccountSession, User
from bawaba.accounts.sessions.constants import ACCOUNT_SESSION_KEY, LAST_SEEN_PRECISION_SECONDS
from bawaba.accounts.sessions.devices import device_description
from bawaba.core.errors import NotFound

_HANDLE_SALT = "bawaba.accounts.sessions.handle"


def session_handle(account_session_id: int) -> str:
    """What a page names a session by: not the row's id, so that it tells nothing of other people's sign-ins."""
    return salted_hmac(_HANDLE_SALT, str(account_session_id), algorithm="sha256").hexdigest()[:32]


def lifetime_passed(account_session: AccountSession, *, now: dt.datetime) -> bool:
    """ASVS 7.3.2: however active, a session ends BAWABA_SESSION_ABSOLUTE_SECONDS after its sign-in."""
    return (now - account_session.created_at).total_seconds() >= settings.BAWABA_SESSION_ABSOLUTE_SECONDS


def idle_limit_passed(account_session: AccountSession, *, now: dt.datetime, store_gone: bool = False) -> bool:
    """ASVS 7.3.1, judged from the row. "Last active" lags up to a minute, so a session the store may still
    hold gets that minute more; once the store has lost it, the plain limit says why. The middleware judges
    a live session to the second, from the session's own clock."""
    idle = (now - account_session.last_seen_at).total_seconds()
    if store_gone:
        return idle >= settings.SESSION_COOKIE_AGE
    return idle > settings.SESSION_COOKIE_AGE + LAST_SEEN_PRECISION_SECONDS


def request_is_verified(request: HttpRequest) -> bool:
    """Whether this request's person passed a second factor (django-otp's `is_verified`)."""
    is_verified = getattr(getattr(request, "user", None), "is_verified", None)
    return bool(is_verified()) if callable(is_verified) else False


def current_account_session_id(request: HttpRequest) -> int | None:
    account_session_id = request.session.get(ACCOUNT_SESSION_KEY)
    return account_session_id if isinstance(account_session_id, int) else None


def account_session_for_request(*, account_session_id: int, user: User) -> AccountSession | None:
    """The row of the session on a request, if it is this person's (ended or not)."""
    return (
        AccountSession.objects.filter(pk=account_session_id, user_id=user.pk)
        .only("pk", "user_id", "session_key", "created_at", "last_seen_at", "ended_at", "with_second_factor")
        .first()
    )


def _open_sessions(user: User, now: dt.datetime) -> list[AccountSession]:
    rows = AccountSession.objects.filter(user=user, ended_at__isnull=True).order_by("-last_seen_at", "-pk")
    return [row for row in rows if not lifetime_passed(row, now=now) and not idle_limit_passed(row, now=now)]


def account_session_get_for_user(*, user: User, handle: str) -> AccountSession:
    """The one access function for "this person's session `handle`": NotFound for anyone else's or an ended one."""
    now = timezone.now()
    for account_session in _open_sessions(user, now):
        if constant_time_compare(session_handle(account_session.pk), handle):
            return account_session
    raise NotFound()


@dataclass(frozen=True)
class SessionListItem:
    handle: str
    device: str
    client_address: str
    signed_in_at: dt.datetime
    last_active_at: dt.datetime
    is_current: bool
    with_second_factor: bool


def account_session_list_for_user(
    *, user: User, current_id: int | None, now: dt.datetime | None = None
) -> list[SessionListItem]:
    """The person's open sessions, this device first, then the most recently active."""
    now = now or timezone.now()
    items = [
        SessionListItem(
            handle=session_handle(row.pk),
            device=device_description(row.user_agent),
            client_address=row.client_address,
            signed_in_at=row.created_at,
            last_active_at=now if row.pk == current_id else row.last_seen_at,
            is_current=row.pk == current_id,
            with_second_factor=row.with_second_factor,
        )
        for row in _open_sessions(user, now)
    ]
    return sorted(items, key=lambda item: not item.is_current)
