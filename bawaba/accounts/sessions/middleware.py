"""Ends sessions that passed their absolute lifetime or idle limit or were ended elsewhere, and keeps
"last active" fresh. Runs after django-otp's middleware, so `request.user.is_verified()` is known.

The database is the truth: each signed-in request reads its AccountSession row (one indexed read, whatever
the session engine), so a session ended from another device, or by a password change, is over at its very
next request even if the session store (Redis) could not be reached to delete it.
"""

import functools
import logging
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.backends.base import SessionBase
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from bawaba.accounts.sessions import services
from bawaba.accounts.sessions.constants import ACCOUNT_SESSION_KEY, LAST_REQUEST_KEY, EndReason
from bawaba.accounts.sessions.selectors import account_session_for_request, lifetime_passed

logger = logging.getLogger(__name__)


class AccountSessionMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = getattr(request, "session", None)
        if session is None:
            return self.get_response(request)
        _follow_key_changes(session)
        cookie_key = request.COOKIES.get(settings.SESSION_COOKIE_NAME)
        account_session_id = None
        # Without a session cookie nobody is signed in: nothing to read (and no Vary: Cookie to add).
        if cookie_key and request.user.is_authenticated:
            account_session_id = _check_signed_in_session(request)
        elif cookie_key and services.account_session_end_lost(session_key=cookie_key[:64]):
            if request.session.session_key:
                _end_request_session(request)  # the store still has it (the account was deactivated)
        response = self.get_response(request)
        if account_session_id is not None and session.get(ACCOUNT_SESSION_KEY) != account_session_id:
            # The view emptied the session without signing out (sign-out and sign-in end the row themselves):
            # the session that was here is over all the same.
            services.account_session_end(account_session_id=account_session_id, reason=EndReason.NO_LONGER_VALID)
        return response


def _check_signed_in_session(request: HttpRequest) -> int | None:
    """The id of the request's session row if the session may go on; otherwise the session is ended here."""
    session = request.session
    now = timezone.now()
    account_session_id = session.get(ACCOUNT_SESSION_KEY)
    account_session = (
        account_session_for_request(account_session_id=account_session_id, user=request.user)  # type: ignore[arg-type]
        if isinstance(account_session_id, int)
        else None
    )
    if account_session is None or account_session.ended_at is not None:
        # Ended elsewhere ("sign out everywhere", a password change), or a session the database never knew.
        _end_request_session(request)
        return None
    reason = None
    last_request = session.get(LAST_REQUEST_KEY)
    if lifetime_passed(account_session, now=now):
        reason = EndReason.ABSOLUTE_LIMIT
    elif not isinstance(last_request, int) or now.timestamp() - last_request > settings.SESSION_COOKIE_AGE:
        # Django's own expiry covers the database engine; a cached engine keeps a session as long as its cache
        # entry lives, so the idle limit is checked here too, from the session's own clock.
        reason = EndReason.IDLE
    if reason is not None:
        services.account_session_end(account_session_id=account_session.pk, reason=reason, now=now)
        _end_request_session(request)
        return None
    session[LAST_REQUEST_KEY] = int(now.timestamp())
    services.account_session_touch(account_session=account_session, request=request, now=now)
    return account_session.pk


def _end_request_session(request: HttpRequest) -> None:
    """Sign this request out: a new, empty session, and an anonymous person for the rest of the request."""
    try:
        request.session.flush()
    except Exception:
        # A cached engine whose cache is down: the data is gone from the database already; emptying it here
        # stops this request, and the ended row stops any later one.
        logger.warning("Could not delete an ended session from the session store", exc_info=True)
        request.session.clear()
    anonymous = AnonymousUser()
    anonymous.otp_device = None  # type: ignore[attr-defined]
    anonymous.is_verified = lambda: False  # type: ignore[attr-defined]
    request.user = anonymous


def _follow_key_changes(session: SessionBase) -> None:
    """Make every change of session key (login(), update_session_auth_hash(), re-authentication) update the
    session's row at once, so that ending it from elsewhere deletes the key it really has."""
    cycle_key = session.cycle_key

    @functools.wraps(cycle_key)
    def cycle_key_and_follow() -> None:
        cycle_key()
        account_session_id = session.get(ACCOUNT_SESSION_KEY)
        if isinstance(account_session_id, int) and session.session_key:
            services.account_session_follow_key(account_session_id=account_session_id, session_key=session.session_key)

    session.cycle_key = cycle_key_and_follow  # type: ignore[method-assign]
