"""Changing the mobile number: prove the new one with a code, then move the account to it and tell the old one.

Whether the new number belongs to another account is not looked at before the code is proved: the person
sees the same pages, the same SMS and the same answers either way. Only the holder of the new number, once
their code is right, learns that it is taken (and nothing changes). A number held by an account that never
proved it (a sign-up left half-way) or by a deleted account is released to the person who just proved it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from bawaba.accounts.constants import AccountEventKind, VerificationPurpose, VerificationStatus
from bawaba.accounts.errors import VerificationNotFound
from bawaba.accounts.events import account_event_record
from bawaba.accounts.models import PhoneVerification, User, VerificationTicket
from bawaba.accounts.phone_change.errors import PhoneNumberTaken, PhoneUnchanged
from bawaba.accounts.sessions.constants import EndReason
from bawaba.accounts.sessions.services import sessions_end_all
from bawaba.accounts.verification.selectors import verification_ticket_get
from bawaba.accounts.verification.services import (
    VerificationStarted,
    verification_check,
    verification_resend,
    verification_start,
)
from bawaba.core.errors import ValidationFailed
from bawaba.core.i18n import CONTENT_LANGUAGES
from bawaba.core.ratelimit import RateLimited
from bawaba.notifications.recipients import normalise_phone
from bawaba.notifications.services import send

PHONE_CHANGE_PURPOSES = frozenset({VerificationPurpose.PHONE_CHANGE})
# Different new numbers one account may try in a day.
NEW_NUMBERS_PER_DAY = 5


@dataclass(frozen=True)
class PhoneChanged:
    user: User
    old_phone: str | None
    sessions_ended: int


def _language(user: User, language: str = "") -> str:
    for candidate in (language, user.preferred_language):
        if candidate in CONTENT_LANGUAGES:
            return candidate
    return "ar"


def new_phone_clean(raw: str, *, user: User) -> str:
    """E.164 of the new number; ValidationFailed naming the `phone` field otherwise. Says nothing of other accounts."""
    try:
        address = normalise_phone(raw, iraqi_mobile_only=True).address
    except ValidationFailed as error:
        message = (
            _("Use an Iraqi mobile number, for example 0770 123 4567.")
            if error.code == "not_iraqi_mobile"
            else _("Enter a mobile number, for example 0770 123 4567.")
        )
        raise ValidationFailed(error.message, code=error.code, fields={"phone": [message]}) from error
    if address == user.phone:
        raise PhoneUnchanged(fields={"phone": [str(PhoneUnchanged.default_message)]})
    return address


def phone_change_ticket_get(*, ticket: str, user: User, now: dt.datetime | None = None) -> VerificationTicket:
    """The one access function for a phone change ticket: the verification must be `user`'s own phone change.
    Anyone else's ticket (or a sign-up's, a recovery's) is "not found", exactly like an unknown one."""
    found = verification_ticket_get(ticket=ticket, purposes=PHONE_CHANGE_PURPOSES, now=now)
    if found.verification.user_id != user.pk:
        raise VerificationNotFound()
    return found


def phone_change_start(
    *, user: User, phone: str, client_address: str, language: str = "", now: dt.datetime | None = None
) -> VerificationStarted:
    """Start (or resume) proving the new number: a ticket, and a code to the new number if the limits allow.
    The caller has re-authenticated (ASVS 7.5.1)."""
    now = now or timezone.now()
    address = new_phone_clean(phone, user=user)
    _check_numbers_today(user=user, phone=address, now=now)
    return verification_start(
        purpose=VerificationPurpose.PHONE_CHANGE,
        phone=address,
        user=user,
        client_address=client_address,
        language=_language(user, language),
        now=now,
    )


def _check_numbers_today(*, user: User, phone: str, now: dt.datetime) -> None:
    """A signed-in person may try a few new numbers a day, not send codes to a whole phone book. Counted in the
    database, so a lost cache never lifts it; coming back to a number already tried is always allowed."""
    tried = (
        PhoneVerification.objects.filter(
            user=user, purpose=VerificationPurpose.PHONE_CHANGE, created_at__gte=now - dt.timedelta(days=1)
        )
        .exclude(phone=phone)
        .values("phone")
        .distinct()
        .count()
    )
    if tried >= NEW_NUMBERS_PER_DAY:
        raise RateLimited(data={"retry_after": 24 * 3600})


def phone_change_resend(
    *, user: User, ticket: str, channel: str, client_address: str, language: str = "", now: dt.datetime | None = None
) -> PhoneVerification:
    phone_change_ticket_get(ticket=ticket, user=user, now=now)
    return verification_resend(
        ticket=ticket,
        channel=channel,
        client_address=client_address,
        language=_language(user, language),
        purposes=PHONE_CHANGE_PURPOSES,
        now=now,
    )


def phone_change_verify(
    *, user: User, ticket: str, code: str, keep_session_key: str | None, now: dt.datetime | None = None
) -> PhoneChanged:
    """Prove the new number with `code` and, in the same transaction, move the account to it: the number
    verified now, every other session ended, the history written, and an SMS to the old number with the
    new one's last 4 digits. Raises what verification_check raises, and PhoneNumberTaken when the proved
    number belongs to another verified account (the ticket is then used up and nothing else changes)."""
    now = now or timezone.now()
    phone_change_ticket_get(ticket=ticket, user=user, now=now)
    outcome: dict[str, PhoneChanged | None] = {"changed": None}

    def move_account(found: VerificationTicket) -> None:
        new_phone = found.verification.phone
        found.used_at = now
        found.save(update_fields=["used_at"])
        account = User.objects.select_for_update().get(pk=user.pk)
        holder = User.objects.select_for_update().filter(phone=new_phone).exclude(pk=account.pk).first()
        if holder is not None and holder.phone_verified_at is not None and holder.deleted_at is None:
            return  # taken: the caller tells the person, who has just proved they hold the number
        if holder is not None:
            _release_number(holder)
        old_phone = account.phone
        account.phone = new_phone
        account.phone_verified_at = now
        account.save(update_fields=["phone", "phone_verified_at"])
        ended = sessions_end_all(
            user=account, reason=EndReason.PHONE_CHANGED, keep_session_key=keep_session_key, now=now
        )
        account_event_record(
            user=account,
            kind=AccountEventKind.PHONE_CHANGED,
            old_ending=(old_phone or "")[-4:],
            new_ending=new_phone[-4:],
            sessions_ended=ended,
        )
        if old_phone:
            send(
                "phone_changed",
                to=old_phone,
                values={"ending": new_phone[-4:]},
                language=_language(account),
                reference=f"accounts.phone_changed:{account.public_id}",
            )
        outcome["changed"] = PhoneChanged(user=account, old_phone=old_phone, sessions_ended=ended)

    verification_check(ticket=ticket, code=code, purposes=PHONE_CHANGE_PURPOSES, on_verified=move_account, now=now)
    changed = outcome["changed"]
    if changed is None:
        raise PhoneNumberTaken()
    user.phone, user.phone_verified_at = changed.user.phone, changed.user.phone_verified_at
    return changed


def _release_number(holder: User) -> None:
    """Take the number from an account that never proved it (or was deleted): it cannot sign in with it, and
    its unfinished sign-up can no longer be proved with a code sent to someone else's number."""
    holder.phone = None
    holder.save(update_fields=["phone"])
    PhoneVerification.objects.filter(user=holder, status=VerificationStatus.PENDING).update(
        status=VerificationStatus.CANCELLED
    )
