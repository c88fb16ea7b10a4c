"""Re-authentication before sensitive changes (ASVS 7.5.1). Contract used by every lane; see sessions/."""

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone

SESSION_KEY = "bawaba_authenticated_at"


def mark_authenticated_now(request: HttpRequest) -> None:
    """Call when the person has just proved who they are (sign-in, password + second factor again)."""
    request.session[SESSION_KEY] = int(timezone.now().timestamp())


def is_recently_authenticated(request: HttpRequest) -> bool:
    at = request.session.get(SESSION_KEY)
    if not isinstance(at, int):
        return False
    return timezone.now().timestamp() - at <= settings.BAWABA_REAUTH_SECONDS


def reauthentication_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Sends a signed-in person to confirm their password (and second factor) first, then back here."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect(f"{reverse(settings.LOGIN_URL)}?{urlencode({'next': request.get_full_path()})}")
        if not is_recently_authenticated(request):
            return redirect(f"{reverse('accounts:reauthenticate')}?{urlencode({'next': request.get_full_path()})}")
        return view(request, *args, **kwargs)

    return wrapper
