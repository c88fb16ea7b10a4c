"""Account recovery: a code to the number, then a new password; a second factor is never bypassed.

A number with no account gets the same answer and a code too; only after proving the code is the holder
told there is no account. A proved recovery ticket may set the password once, within 15 minutes.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bawaba.accounts.constants import AccountEventKind, VerificationPurpose
from bawaba.accounts.errors import CodeInvalid, VerificationNotFound
from bawaba.accounts.events import account_event_record
from bawaba.accounts.models import User, VerificationTicket
from bawaba.accounts.second_factor.services import second_factor_verify, user_has_second_factor
from bawaba.accounts.sessions.constants import EndReason
from bawaba.accounts.sessions.services import sessions_end_all
from bawaba.accounts.signup.services import (
    SIGNUP_PURPOSES,
    CodeProved,
    next_step,
    number_account,
    password_check,
    phone_clean,
)
from bawaba.accounts.verification.selectors import verification_ticket_get
from bawaba.accounts.verification.services import (
    VerificationStarted,
    verification_attempt_fail,
    verification_check,
    verification_lock_for_answer,
    verification_start,
)
from bawaba.core.errors import ApplicationError, ValidationFailed
from bawaba.core.i18n import CONTENT_LANGUAGES
from bawaba.notifications.services import send

# How long a proved recovery ticket may take to set the new password.
PASSWORD_WINDOW = dt.timedelta(minutes=15)
RECOVERY_PURPOSES = frozenset({VerificationPurpose.RECOVERY})
# A new password may be set with a proved recovery ticket, or with a proved sign-up ticket that found the
# number already has an account (its choices were not applied, so it is not used up).
PASSWORD_PURPOSES = SIGNUP_PURPOSES


class SecondFactorRequired(ValidationFailed):
    code = "second_factor_required"


class SecondFactorInvalid(ValidationFailed):
    code = "second_factor_invalid"


def recovery_start(
    *, phone: str, language: str, client_address: str, now: dt.datetime | None = None
) -> VerificationStarted:
    """Send a recovery code to the number, whether or not it has an account (the answer is the same)."""
    language = language if language in CONTENT_LANGUAGES else "ar"
    address = phone_clean(phone)
    user = User.objects.filter(phone=address, deleted_at__isnull=True).first()
    return verification_start(
        purpose=VerificationPurpose.RECOVERY,
        phone=address,
        user=user,
        client_address=client_address,
        language=language,
        now=now,
    )


def recovery_verify(*, ticket: str, code: str, now: dt.datetime | None = None) -> CodeProved:
    def account_now(found: VerificationTicket) -> None:
        # The verification is keyed by the number alone: its account is whoever has the number now.
        found.verification.user = number_account(found.verification.phone)
        found.verification.save(update_fields=["user", "updated_at"])

    proved = verification_check(ticket=ticket, code=code, purposes=RECOVERY_PURPOSES, on_verified=account_now, now=now)
    return CodeProved(user=proved.verification.user, next=next_step(proved), ticket=proved)


def recovery_ticket_get(*, ticket: str, now: dt.datetime | None = None) -> CodeProved:
    """A recovery ticket that proved its code and may still set a password (for the "new password" page)."""
    now = now or timezone.now()
    found = verification_ticket_get(ticket=ticket, purposes=PASSWORD_PURPOSES, now=now)
    if found.verified_at is None or found.verified_at + PASSWORD_WINDOW <= now:
        raise VerificationNotFound()
    return CodeProved(user=found.verification.user, next=next_step(found), ticket=found)


def recovery_password_set(
    *, ticket: str, password: str, second_factor_code: str = "", now: dt.datetime | None = None
) -> User:
    """Set a new password with a proved recovery ticket, once, within 15 minutes of the proof.

    With a second factor the authenticator's code or a recovery code is required too; a wrong one counts
    as a wrong answer on the verification (waits, then the day-long stop), like a wrong SMS code. On
    success: the number counts as verified, every session of the account ends, the history says
    "recovered", and an SMS tells the number its password changed. The caller signs the person in."""
    now = now or timezone.now()
    error: ApplicationError | None = None
    with transaction.atomic(durable=True):
        found, verification = verification_lock_for_answer(ticket=ticket, purposes=PASSWORD_PURPOSES, now=now)
        if found.verified_at is None or found.verified_at + PASSWORD_WINDOW <= now or verification.user_id is None:
            raise VerificationNotFound()
        user = User.objects.select_for_update().get(pk=verification.user_id)
        if user.phone != verification.phone or user.deleted_at is not None:
            raise VerificationNotFound()  # the account left this number since it was proved
        with_second_factor = user_has_second_factor(user)
        fields: dict[str, list[str]] = {}
        try:
            password_check(password, user=user)
        except ValidationFailed as invalid:
            fields.update(invalid.fields)
        if with_second_factor and not second_factor_code.strip():
            fields["second_factor_code"] = [_("Enter the code from your authenticator app, or a recovery code.")]
            raise SecondFactorRequired(fields=fields)
        if fields:
            raise ValidationFailed(fields=fields)
        if with_second_factor and not second_factor_verify(user=user, token=second_factor_code):
            error = verification_attempt_fail(verification, ticket=found, now=now)
            if isinstance(error, CodeInvalid):
                error = SecondFactorInvalid(
                    _("That code is not right. Use the code your authenticator app shows now, or a recovery code."),
                    fields={"second_factor_code": [_("That code is not right.")]},
                    data=error.data,
                )
        else:
            _password_apply(user=user, password=password, now=now)
            found.used_at = now
            found.save(update_fields=["used_at"])
            account_event_record(user=user, kind=AccountEventKind.RECOVERED, with_second_factor=with_second_factor)
            sessions_end_all(user=user, reason=EndReason.RECOVERED)
            if user.phone:
                send(
                    "password_changed",
                    to=user.phone,
                    language=user.preferred_language if user.preferred_language in CONTENT_LANGUAGES else "ar",
                    reference=f"accounts.recovery:{verification.pk}",
                )
    if error is not None:
        raise error
    return user


def _password_apply(*, user: User, password: str, now: dt.datetime) -> None:
    user.set_password(password)
    user.phone_verified_at = user.phone_verified_at or now
    user.failed_sign_ins = 0
    user.save(update_fields=["password", "phone_verified_at", "failed_sign_ins"])
