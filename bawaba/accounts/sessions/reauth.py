"""Re-authentication before sensitive changes (ASVS 7.5.1). Contract used by every lane; see sessions/.

`mark_authenticated_now`, `is_recently_authenticated` and `reauthentication_required` are called by other
parts of the accounts app; `reauthenticate` is the check behind the "Confirm it is you" page and the API.
"""

import datetime as dt
from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme

from bawaba.accounts.constants import AccountEventKind
from bawaba.accounts.events import account_event_record
from bawaba.accounts.models import AccountEvent, User
from bawaba.accounts.second_factor.services import second_factor_verify, user_has_second_factor
from bawaba.accounts.sessions.errors import ReauthenticationFailed
from bawaba.accounts.sessions.services import account_session_follow_request
from bawaba.core.ratelimit import RateLimited, rate_limit_check

SESSION_KEY = "bawaba_authenticated_at"

# Wrong passwords or codes while signed in: this many within the window, then a wait. Counted in the
# database (the account's history), so a lost cache never lifts the limit; the cache limit below also
# counts right answers, against a script hammering the page.
REAUTH_FAILURES_ALLOWED = 5
REAUTH_WINDOW_SECONDS = 15 * 60
REAUTH_ATTEMPTS_PER_WINDOW = 10
FAILURE_STEP = "reauthenticate"


def mark_authenticated_now(request: HttpRequest) -> None:
    """Call when the person has just proved who they are (sign-in, password + second factor again)."""
    request.session[SESSION_KEY] = int(timezone.now().timestamp())


def is_recently_authenticated(request: HttpRequest) -> bool:
    at = request.session.get(SESSION_KEY)
    if not isinstance(at, int):
        return False
    return timezone.now().timestamp() - at <= settings.BAWABA_REAUTH_SECONDS


def safe_next_url(request: HttpRequest, candidate: str | None, *, default: str) -> str:
    """`candidate` if it is a path on this site, otherwise `default`: never an open redirect (ASVS 3.7.2)."""
    candidate = (candidate or "").strip()
    if (
        candidate.startswith("/")
        and not candidate.startswith(("//", "/\\"))
        and url_has_allowed_host_and_scheme(candidate, allowed_hosts=set(), require_https=request.is_secure())
    ):
        return candidate
    return default


def reauthentication_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Sends a signed-in person to confirm their password (and second factor) first, then back here."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not is_recently_authenticated(request):
            return redirect(f"{reverse('accounts:reauthenticate')}?{urlencode({'next': request.get_full_path()})}")
        return view(request, *args, **kwargs)

    return wrapper


def reauthentication_failures(*, user: User, now: dt.datetime | None = None) -> int:
    since = (now or timezone.now()) - dt.timedelta(seconds=REAUTH_WINDOW_SECONDS)
    return AccountEvent.objects.filter(
        user=user, kind=AccountEventKind.SIGN_IN_FAILED, data__step=FAILURE_STEP, created_at__gte=since
    ).count()


def reauthenticate(
    *, request: HttpRequest, user: User, password: str, code: str = "", sms_ticket: str | None = None
) -> None:
    """Check the password (and, for an account with a second factor, its code) of the person signed in.

    On success the session gets a new key (ASVS 7.2.4: also on re-authentication) and counts as recently
    authenticated. A wrong answer is recorded in the account's history and raises ReauthenticationFailed;
    too many raise RateLimited before anything is checked.
    """
    rate_limit_check(
        scope="accounts.reauthenticate",
        identity=str(user.public_id),
        limit=REAUTH_ATTEMPTS_PER_WINDOW,
        window_seconds=REAUTH_WINDOW_SECONDS,
    )
    if reauthentication_failures(user=user) >= REAUTH_FAILURES_ALLOWED:
        raise RateLimited(data={"retry_after": REAUTH_WINDOW_SECONDS})
    needs_code = user_has_second_factor(user)
    # The code is checked only after the right password: a guesser must not use up recovery codes.
    if not user.check_password(password) or (
        needs_code and not second_factor_verify(user=user, token=code, sms_ticket=sms_ticket)
    ):
        account_event_record(user=user, kind=AccountEventKind.SIGN_IN_FAILED, request=request, step=FAILURE_STEP)
        raise ReauthenticationFailed()
    request.session.cycle_key()
    account_session_follow_request(request=request)
    mark_authenticated_now(request)
