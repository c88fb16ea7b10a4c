"""Signing a person in once they have proved who they are. Every flow that ends signed in calls this.

The signin lane grows this module (throttling, trusted devices); the signature is the contract.
"""

from django.contrib.auth import login
from django.http import HttpRequest

from bawaba.accounts.constants import AccountEventKind
from bawaba.accounts.events import account_event_record
from bawaba.accounts.models import User
from bawaba.accounts.sessions.reauth import mark_authenticated_now

BACKEND = "bawaba.accounts.backends.PhoneOrUsernameBackend"


def sign_in_complete(request: HttpRequest, *, user: User, with_second_factor: bool = False) -> None:
    """A new session id (Django's login() cycles the key: ASVS 7.2.4), the history entry, recent authentication."""
    login(request, user, backend=BACKEND)
    mark_authenticated_now(request)
    account_event_record(
        user=user, kind=AccountEventKind.SIGNED_IN, request=request, with_second_factor=with_second_factor
    )
