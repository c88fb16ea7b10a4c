"""Changing the password while signed in: the new one is checked, this session stays, every other ends."""

import datetime as dt

from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from bawaba.accounts.constants import AccountEventKind
from bawaba.accounts.events import account_event_record
from bawaba.accounts.models import User
from bawaba.accounts.sessions.constants import EndReason
from bawaba.accounts.sessions.services import account_session_follow_request, sessions_end_all
from bawaba.core.errors import ValidationFailed
from bawaba.notifications.services import send


def password_change(*, request: HttpRequest, user: User, new_password: str, now: dt.datetime | None = None) -> int:
    """Set `new_password` (validated: ASVS 6.2), keep the caller's session, end the others, tell the owner
    by SMS. Returns how many other sessions ended. The caller has re-authenticated (ASVS 6.2.3, 7.5.1)."""
    try:
        validate_password(new_password, user)
    except ValidationError as exc:
        raise ValidationFailed(
            _("Choose another password."), code="password_invalid", fields={"new_password": list(exc.messages)}
        ) from exc
    with transaction.atomic():
        user.set_password(new_password)
        user.save(update_fields=["password"])
        # A new session key (followed by the session's row) and the new password's hash in this session,
        # so this device stays signed in while every other session fails Django's hash check.
        update_session_auth_hash(request, user)
        account_session_follow_request(request=request)
        ended = sessions_end_all(
            user=user,
            reason=EndReason.PASSWORD_CHANGED,
            keep_session_key=request.session.session_key,
            now=now or timezone.now(),
        )
        account_event_record(user=user, kind=AccountEventKind.PASSWORD_CHANGED, request=request, sessions_ended=ended)
        if user.phone:
            send(
                "password_changed",
                to=user.phone,
                language=user.preferred_language or "ar",
                reference=f"accounts.password_changed:{user.public_id}",
            )
    return ended
