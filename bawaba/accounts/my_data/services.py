"""My data: downloading it, and deleting the account.

Deletion anonymises rather than removes the row: the account's history (security events) and the log
of staff views refer to it and are kept for audits, and other apps' records (complaints, applications)
are government records that stay, detached from the person's name where the law allows. Everything
that identifies the person or lets anyone sign in as them goes, in one transaction.
"""

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_otp import devices_for_user

from bawaba.accounts.constants import AccountEventKind, VerificationStatus
from bawaba.accounts.events import account_event_record
from bawaba.accounts.models import PhoneVerification, Profile, User, VerificationTicket
from bawaba.accounts.my_data.export import my_data_export
from bawaba.accounts.sessions.constants import EndReason
from bawaba.accounts.sessions.services import sessions_end_all
from bawaba.core.errors import PermissionDenied
from bawaba.core.ratelimit import rate_limit_check

# Building the file reads every table about the person: a few downloads an hour are plenty.
DOWNLOADS_PER_HOUR = 10
# AccountSession.end_reason of the sessions a deletion ends.
END_REASON_DELETED = EndReason.ACCOUNT_DELETED


class StaffAccountNotDeletable(PermissionDenied):
    code = "staff_account"
    default_message = _("A staff account is closed by your department's administrator, not from this page.")


@dataclass(frozen=True)
class Download:
    filename: str
    content: bytes


def my_data_download(*, user: User, request: HttpRequest | None = None, now: dt.datetime | None = None) -> Download:
    """The person's data as a JSON file, and the history entry saying they downloaded it."""
    rate_limit_check(
        scope="my_data_download", identity=str(user.public_id), limit=DOWNLOADS_PER_HOUR, window_seconds=3600
    )
    now = now or timezone.now()
    document = my_data_export(user=user, now=now)
    content = json.dumps(document, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2).encode()
    account_event_record(user=user, kind=AccountEventKind.DATA_EXPORTED, request=request)
    return Download(filename=f"bawaba-my-data-{timezone.localdate(now):%Y-%m-%d}.json", content=content)


# Other apps' part of a deletion (detach cases from the name, withdraw consents...), called inside the
# deletion's transaction with the person and the time. Registered from their AppConfig.ready.
Eraser = Callable[[User, dt.datetime], None]
_erasers: dict[str, Eraser] = {}


def eraser_register(name: str, erase: Eraser) -> None:
    existing = _erasers.get(name)
    if existing is not None and existing is not erase:
        raise ImproperlyConfigured(f"An account deletion step '{name}' is already registered")
    _erasers[name] = erase


def eraser_unregister(name: str) -> None:
    """For tests that register a step of their own."""
    _erasers.pop(name, None)


def account_is_deletable(user: User) -> bool:
    """Staff accounts are closed by an administrator, so their roles and audit trail are handled with care."""
    return not (user.is_staff or user.is_superuser or user.staff_roles.exists())


def account_delete(*, user: User, request: HttpRequest | None = None, now: dt.datetime | None = None) -> None:
    """Delete the account: anonymise it, remove what identifies or authenticates the person, end every session.

    Kept: the row itself (as "deleted-<public id>"), the account's history and the log of staff views.
    The number and e-mail address are free again, so the number can sign up as a new account.
    """
    now = now or timezone.now()
    if not account_is_deletable(user):
        raise StaffAccountNotDeletable()
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        if locked.deleted_at is not None:
            return
        for erase in _erasers.values():
            erase(locked, now)
        Profile.objects.filter(user=locked).delete()
        for device in devices_for_user(locked, confirmed=None):
            device.delete()
        # Tickets hold the name and password chosen at sign-up: gone now. The record of codes sent (number,
        # time, address) stays until the periodic purge (accounts.purge_verification_records, 30 days): the
        # caps on codes per number count it, and deleting an account must not reset them.
        VerificationTicket.objects.filter(verification__user=locked).delete()
        PhoneVerification.objects.filter(user=locked, status=VerificationStatus.PENDING).update(
            status=VerificationStatus.CANCELLED
        )

        locked.full_name = ""
        locked.first_name = ""
        locked.last_name = ""
        locked.email = ""
        locked.phone = None
        locked.phone_verified_at = None
        locked.preferred_language = ""
        locked.username = f"deleted-{locked.public_id}"
        locked.set_unusable_password()
        locked.failed_sign_ins = 0
        locked.last_failed_sign_in_at = None
        locked.is_active = False
        locked.deleted_at = now
        locked.save()
        sessions_end_all(user=locked, reason=END_REASON_DELETED, now=now)
        account_event_record(user=locked, kind=AccountEventKind.DELETED, request=request)
    # The caller's object must not keep the old name or number around.
    user.refresh_from_db()
