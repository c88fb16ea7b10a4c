"""Ending sessions. The sessions lane grows this module; the signatures are the contract."""

from importlib import import_module

from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase
from django.utils import timezone

from bawaba.accounts.models import AccountSession, User


def _store(session_key: str) -> SessionBase:
    engine = import_module(settings.SESSION_ENGINE)
    store: SessionBase = engine.SessionStore(session_key)
    return store


def sessions_end_all(*, user: User, reason: str, keep_session_key: str | None = None) -> int:
    """End every open session of `user` (but `keep_session_key`, the caller's own, if given). Returns how many."""
    open_sessions = AccountSession.objects.filter(user=user, ended_at__isnull=True)
    if keep_session_key:
        open_sessions = open_sessions.exclude(session_key=keep_session_key)
    ended = 0
    for account_session in open_sessions:
        _store(account_session.session_key).delete()
        ended += 1
    open_sessions.update(ended_at=timezone.now(), end_reason=reason[:24])
    return ended
