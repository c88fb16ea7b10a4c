"""Signed-in sessions: one AccountSession row per sign-in beside Django's session store, and ending them.

The database row is the truth. Ending a session marks its row first, then deletes the session from the
store as well as it can (a cached store may be unreachable for a while); whatever survives in a store is
ended by the middleware at its next request, because its row says so. Signatures of `sessions_end_all`
are a contract other parts of the accounts app rely on.
"""

import datetime as dt
import logging
from importlib import import_module

from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from bawaba.accounts.constants import AccountEventKind
from bawaba.accounts.events import account_event_record
from bawaba.accounts.models import AccountSession, User
from bawaba.accounts.sessions.constants import (
    ACCOUNT_SESSION_KEY,
    LAST_REQUEST_KEY,
    LAST_SEEN_PRECISION_SECONDS,
    EndReason,
)
from bawaba.accounts.sessions.devices import short_user_agent
from bawaba.accounts.sessions.selectors import (
    account_session_get_for_user,
    idle_limit_passed,
    lifetime_passed,
    request_is_verified,
)
from bawaba.core.ratelimit import client_address

logger = logging.getLogger(__name__)


def _store(session_key: str) -> SessionBase:
    engine = import_module(settings.SESSION_ENGINE)
    store: SessionBase = engine.SessionStore(session_key)
    return store


def _delete_from_store(session_keys: list[str]) -> None:
    for session_key in session_keys:
        try:
            _store(session_key).delete()
        except Exception:
            # Never the key in the log. The row is already ended, so the session cannot be used again.
            logger.warning("Could not delete an ended session from the session store", exc_info=True)


def _end_rows(rows: "list[tuple[int, str]]", *, reason: str, now: dt.datetime) -> int:
    if not rows:
        return 0
    ended = AccountSession.objects.filter(pk__in=[pk for pk, _key in rows], ended_at__isnull=True).update(
        ended_at=now, end_reason=reason[:24]
    )
    _delete_from_store([key for _pk, key in rows])
    return ended


def sessions_end_all(
    *, user: User, reason: str, keep_session_key: str | None = None, now: dt.datetime | None = None
) -> int:
    """End every open session of `user` (but `keep_session_key`, the caller's own, if given). Returns how many."""
    now = now or timezone.now()
    with transaction.atomic():
        open_sessions = AccountSession.objects.select_for_update().filter(user=user, ended_at__isnull=True)
        if keep_session_key:
            open_sessions = open_sessions.exclude(session_key=keep_session_key)
        return _end_rows(list(open_sessions.values_list("pk", "session_key")), reason=reason, now=now)


def account_session_start(*, request: HttpRequest, user: User, now: dt.datetime | None = None) -> AccountSession:
    """The row for a sign-in that just happened on `request` (the `user_logged_in` receiver calls this)."""
    now = now or timezone.now()
    session = request.session
    previous = session.get(ACCOUNT_SESSION_KEY)
    if previous is not None:
        # The same person signed in again in a session they already had: Django keeps the key then, but a
        # sign-in must always get a new one (ASVS 7.2.4), and the old row's history ends here.
        AccountSession.objects.filter(pk=previous, ended_at__isnull=True).update(
            ended_at=now, end_reason=EndReason.SIGNED_IN_AGAIN
        )
        del session[ACCOUNT_SESSION_KEY]
        session.cycle_key()
    cookie_key = request.COOKIES.get(settings.SESSION_COOKIE_NAME)
    if cookie_key and cookie_key != session.session_key:
        # Django emptied the session this browser had (another person signed in on it, or the same person
        # whose password changed since): that session is over.
        for earlier in AccountSession.objects.filter(session_key=cookie_key[:64], ended_at__isnull=True):
            reason = EndReason.SIGNED_IN_AGAIN if earlier.user_id == user.pk else EndReason.REPLACED
            account_session_end(account_session_id=earlier.pk, reason=reason, now=now)
    if session.session_key is None:
        session.save()  # a flushed session has no key until it is saved
    elif AccountSession.objects.filter(session_key=session.session_key).exists():
        session.cycle_key()
    session_key = session.session_key
    assert session_key is not None  # noqa: S101 - save() and cycle_key() always give a key
    account_session = AccountSession.objects.create(
        user=user,
        session_key=session_key,
        last_seen_at=now,
        client_address=client_address(request)[:45],
        user_agent=short_user_agent(request.headers.get("user-agent", "")),
        # sign_in_complete leaves the device that took the code on the user (django-otp marks the session).
        with_second_factor=request_is_verified(request) or getattr(user, "otp_device", None) is not None,
    )
    session[ACCOUNT_SESSION_KEY] = account_session.pk
    session[LAST_REQUEST_KEY] = int(now.timestamp())
    return account_session


def account_session_end(*, account_session_id: int, reason: str, now: dt.datetime | None = None) -> bool:
    """Mark one session's row ended and delete it from the store. False when it had already ended."""
    now = now or timezone.now()
    rows = list(
        AccountSession.objects.filter(pk=account_session_id, ended_at__isnull=True).values_list("pk", "session_key")
    )
    return _end_rows(rows, reason=reason, now=now) > 0


def account_session_end_current(*, request: HttpRequest, reason: str, now: dt.datetime | None = None) -> None:
    """Mark the row of the session on `request` ended (at sign-out). The caller flushes the session itself."""
    account_session_id = request.session.get(ACCOUNT_SESSION_KEY)
    if isinstance(account_session_id, int):
        AccountSession.objects.filter(pk=account_session_id, ended_at__isnull=True).update(
            ended_at=now or timezone.now(), end_reason=reason[:24]
        )


def account_session_end_for_owner(*, user: User, handle: str, now: dt.datetime | None = None) -> AccountSession:
    """End one of `user`'s own sessions, chosen from their list. Another person's session is never found."""
    account_session = account_session_get_for_user(user=user, handle=handle)
    account_session_end(account_session_id=account_session.pk, reason=EndReason.ENDED_BY_OWNER, now=now)
    return account_session


def sessions_sign_out_everywhere(
    *, user: User, request: HttpRequest, keep_current: bool, now: dt.datetime | None = None
) -> int:
    """Sign out everywhere (or everywhere else, with `keep_current`): ends the sessions and records it."""
    keep = request.session.session_key if keep_current else None
    ended = sessions_end_all(user=user, reason=EndReason.SIGNED_OUT_EVERYWHERE, keep_session_key=keep, now=now)
    account_event_record(
        user=user, kind=AccountEventKind.SIGNED_OUT_EVERYWHERE, request=request, kept_this_device=keep_current
    )
    return ended


def account_session_end_lost(*, session_key: str, now: dt.datetime | None = None) -> bool:
    """A browser came back with the key of a signed-in session but nobody is signed in by it: the store lost
    it (it expired), or the account can no longer sign in. The row must agree, with the likeliest reason.
    Returns whether a row ended; the caller empties the session if the store still has it."""
    now = now or timezone.now()
    ended = 0
    for account_session in AccountSession.objects.filter(session_key=session_key, ended_at__isnull=True):
        if lifetime_passed(account_session, now=now):
            reason = EndReason.ABSOLUTE_LIMIT
        elif idle_limit_passed(account_session, now=now, store_gone=True):
            reason = EndReason.IDLE
        else:
            reason = EndReason.NO_LONGER_VALID
        ended += AccountSession.objects.filter(pk=account_session.pk, ended_at__isnull=True).update(
            ended_at=now, end_reason=reason
        )
    return ended > 0


def sessions_end_expired(*, user: User | None = None, now: dt.datetime | None = None) -> int:
    """End the rows of sessions past their idle or absolute limit (a browser that never came back)."""
    now = now or timezone.now()
    open_sessions = AccountSession.objects.filter(ended_at__isnull=True)
    if user is not None:
        open_sessions = open_sessions.filter(user=user)
    ended = 0
    for account_session in open_sessions.only("pk", "session_key", "created_at", "last_seen_at"):
        if lifetime_passed(account_session, now=now):
            ended += account_session_end(
                account_session_id=account_session.pk, reason=EndReason.ABSOLUTE_LIMIT, now=now
            )
        elif idle_limit_passed(account_session, now=now):
            ended += account_session_end(account_session_id=account_session.pk, reason=EndReason.IDLE, now=now)
    return ended


def account_session_touch(
    *, account_session: AccountSession, request: HttpRequest, now: dt.datetime | None = None
) -> None:
    """Keep the row in step with its session: last active (once a minute), address, browser, key, 2FA."""
    now = now or timezone.now()
    changes: dict[str, object] = {}
    if (now - account_session.last_seen_at).total_seconds() >= LAST_SEEN_PRECISION_SECONDS:
        changes["last_seen_at"] = now
        changes["client_address"] = client_address(request)[:45]
        changes["user_agent"] = short_user_agent(request.headers.get("user-agent", ""))
    session_key = request.session.session_key
    if session_key and session_key != account_session.session_key:
        changes["session_key"] = session_key
    if not account_session.with_second_factor and request_is_verified(request):
        changes["with_second_factor"] = True
    if changes:
        AccountSession.objects.filter(pk=account_session.pk, ended_at__isnull=True).update(**changes)
        for name, value in changes.items():
            setattr(account_session, name, value)


def account_session_follow_key(*, account_session_id: int, session_key: str) -> None:
    """The session's key changed (sign-in, re-authentication, password change): the row must follow it,
    or ending the session from elsewhere would delete a key that no longer exists."""
    AccountSession.objects.filter(pk=account_session_id, ended_at__isnull=True).exclude(session_key=session_key).update(
        session_key=session_key
    )


def account_session_follow_request(*, request: HttpRequest) -> None:
    """`account_session_follow_key` for the session on `request`, after code that changed its key."""
    account_session_id = request.session.get(ACCOUNT_SESSION_KEY)
    if isinstance(account_session_id, int) and request.session.session_key:
        account_session_follow_key(account_session_id=account_session_id, session_key=request.session.session_key)
