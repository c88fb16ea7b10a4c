"""Receivers keeping AccountSession rows in step with sign-in and sign-out (imported by AccountsConfig.ready)."""

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.dispatch import receiver
from django.http import HttpRequest

from bawaba.accounts.models import User
from bawaba.accounts.sessions import services
from bawaba.accounts.sessions.constants import EndReason


@receiver(user_logged_in, dispatch_uid="bawaba.accounts.sessions.signed_in")
def _signed_in(sender: type, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session"):
        services.account_session_start(request=request, user=user)


@receiver(user_logged_out, dispatch_uid="bawaba.accounts.sessions.signed_out")
def _signed_out(sender: type, request: HttpRequest | None, user: User | None, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session"):
        services.account_session_end_current(request=request, reason=EndReason.SIGNED_OUT)
