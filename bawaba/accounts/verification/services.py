"""Proving that a person holds a mobile number: start (or resume) a verification, resend a code, check a code.

Other parts of the accounts app build on three calls:

    started = verification_start(purpose=..., phone=..., user=..., client_address=..., language=...)
    verification_resend(ticket=started.ticket, channel="sms", client_address=...)
    verification_check(ticket=started.ticket, code="482913", on_verified=apply_my_changes)

`verification_check` must not run inside another transaction (it is `durable`): a wrong code's count has
to be committed even though the call then raises. Work that must happen together with the proof goes in
`on_verified`, which runs inside its transaction.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Collection
from dataclasses import dataclass

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bawaba.accounts.constants import CODE_LIFETIME_SECONDS, CodeChannel, VerificationPurpose, VerificationStatus
from bawaba.accounts.errors import CodeExpired, CodeInvalid, TooManyAttempts, VerificationNotFound
from bawaba.accounts.models import PhoneVerification, User, VerificationCode, VerificationTicket
from bawaba.accounts.verification import limits
from bawaba.accounts.verification.codes import code_clean, code_digest, code_generate, code_matches, ticket_generate
from bawaba.accounts.verification.selectors import (
    alternative_channels,
    latest_code,
    message_provider,
    verification_ticket_get,
)
from bawaba.core.errors import ApplicationError, ValidationFailed
from bawaba.core.i18n import CONTENT_LANGUAGES
from bawaba.notifications.recipients import normalise_phone
from bawaba.notifications.services import send

CODE_LIFETIME = dt.timedelta(seconds=CODE_LIFETIME_SECONDS)
# A ticket lets its browser or app come back to the same verification for a day.
TICKET_LIFETIME = dt.timedelta(hours=24)
# The channels a code is sent by, as notifications.send() names them (None: SMS by any provider).
SEND_CHANNELS: dict[str, str | None] = {
    CodeChannel.SMS: None,
    CodeChannel.SMS_OTHER: None,
    CodeChannel.VOICE: "voice",
    CodeChannel.WHATSAPP: "whatsapp",
}

OnVerified = Callable[[VerificationTicket], None]
# What anyone may start for any number: keyed by the number alone, never by the account it may have, so a
# registered number and a free one have the same verifications with the same counters (decision 0010).
ANONYMOUS_PURPOSES = frozenset({VerificationPurpose.SIGNUP, VerificationPurpose.RECOVERY})


@dataclass(frozen=True)
class VerificationStarted:
    ticket: str  # the secret the client keeps; shown once, stored only as a digest
    verification: PhoneVerification
    code_sent: bool  # False when the limits held the code back (the state says when the next may come)


def subject_key(*, purpose: str, phone: str, user: User | None) -> str:
    if purpose in ANONYMOUS_PURPOSES or user is None:
        return f"{purpose}:{phone}:"
    return f"{purpose}:{phone}:{user.pk}"


def _lock_number(phone: str) -> None:
    """Serialise everything that sends codes to one number, so concurrent requests cannot both pass a cap.

    PostgreSQL: a transaction-scoped advisory lock. SQLite already runs one writing transaction at a time."""
    if connection.vendor != "postgresql":
        return
    key = int.from_bytes(hashlib.sha256(f"bawaba.verification:{phone}".encode()).digest()[:8], "big", signed=True)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])


def _pending_verification(*, purpose: str, phone: str, user: User | None) -> PhoneVerification:
    """THE pending verification for this purpose, number and account (for sign-up and recovery: for this
    purpose and number), created if there is none. Its account is brought up to date with `user`."""
    key = subject_key(purpose=purpose, phone=phone, user=user)
    found = PhoneVerification.objects.filter(subject_key=key, status=VerificationStatus.PENDING).first()
    if found is None:
        try:
            with transaction.atomic():
                found = PhoneVerification.objects.create(purpose=purpose, phone=phone, user=user, subject_key=key)
        except IntegrityError:
            # Another request created it between our look and our insert (the partial unique constraint).
            found = PhoneVerification.objects.get(subject_key=key, status=VerificationStatus.PENDING)
    locked = PhoneVerification.objects.select_for_update().get(pk=found.pk)
    if locked.user_id != (user.pk if user is not None else None):
        locked.user = user
        locked.save(update_fields=["user", "updated_at"])
    return locked


def _unlock_if_due(verification: PhoneVerification, now: dt.datetime) -> None:
    """After the day-long stop the verification takes codes again, with its wrong codes forgotten."""
    if verification.locked_until is not None and verification.locked_until <= now:
        verification.failed_attempts = 0
        verification.locked_until = None
        verification.save(update_fields=["failed_attempts", "locked_until", "updated_at"])


def _code_send(
    verification: PhoneVerification, *, channel: str, client_address: str, language: str, now: dt.datetime
) -> VerificationCode:
    """A new code, stored (as a digest) and handed to notifications in the same transaction."""
    code = code_generate()
    avoid: tuple[str, ...] = ()
    if channel == CodeChannel.SMS_OTHER:
        previous = latest_code(verification)
        provider = message_provider(previous.message_id if previous is not None else None)
        avoid = (provider,) if provider else ()
    message = send(
        "verification_code",
        to=verification.phone,
        values={"code": code, "minutes": CODE_LIFETIME_SECONDS // 60},
        priority="urgent",
        expires_in=CODE_LIFETIME_SECONDS,
        language=language if language in CONTENT_LANGUAGES else "ar",
        reference=f"accounts.verification:{verification.pk}",
        iraqi_mobile_only=True,
        channel=SEND_CHANNELS[channel],
        avoid_providers=avoid,
    )
    row = VerificationCode.objects.create(
        verification=verification,
        phone=verification.phone,
        code_digest=code_digest(verification_id=verification.pk, code=code),
        channel=channel,
        message_id=message.pk,
        client_address=limits.address_bucket(client_address),
        created_at=now,
        expires_at=now + CODE_LIFETIME,
    )
    verification.codes_sent += 1
    verification.last_code_sent_at = now
    verification.next_code_allowed_at = now + limits.resend_wait(limits.codes_sent_today(verification, now))
    verification.save(update_fields=["codes_sent", "last_code_sent_at", "next_code_allowed_at", "updated_at"])
    return row


def verification_start(
    *,
    purpose: str,
    phone: str,
    user: User | None = None,
    client_address: str,
    language: str,
    now: dt.datetime | None = None,
    full_name: str = "",
    password: str = "",
) -> VerificationStarted:
    """Find or create THE pending verification for this purpose, number and account; give the caller a new
    ticket on it (carrying `full_name` and the password *hash* `password`, for a sign-up), and send a code if
    the limits allow one now. Never fails because the person came back: held-back codes show in the state."""
    now = now or timezone.now()
    address = normalise_phone(phone, iraqi_mobile_only=True).address
    with transaction.atomic():
        _lock_number(address)
        verification = _pending_verification(purpose=purpose, phone=address, user=user)
        _unlock_if_due(verification, now)
        secret, digest = ticket_generate()
        created = VerificationTicket.objects.create(
            verification=verification,
            token_digest=digest,
            full_name=full_name,
            password=password,
            language=language,
            client_address=limits.address_bucket(client_address),
            expires_at=now + TICKET_LIFETIME,
        )
        refusal = limits.send_refusal(verification=verification, client_address=client_address, now=now, ticket=created)
        code_sent = refusal is None
        if code_sent:
            _code_send(verification, channel=CodeChannel.SMS, client_address=client_address, language=language, now=now)
    return VerificationStarted(ticket=secret, verification=verification, code_sent=code_sent)


def verification_resend(
    *,
    ticket: str,
    channel: str = CodeChannel.SMS,
    client_address: str,
    language: str = "",
    purposes: Collection[str] | None = None,
    now: dt.datetime | None = None,
) -> PhoneVerification:
    """Another code for the ticket's verification, by `channel` (one of the alternatives on offer).

    Raises ResendNotYet (the cooldown), CodeLimitReached (a cap) or TooManyAttempts (locked), each with
    data["retry_after"] in seconds; nothing is sent or stored then."""
    now = now or timezone.now()
    if channel not in alternative_channels():
        raise ValidationFailed(
            _("Codes cannot be sent this way at the moment."),
            code="channel_unavailable",
            fields={"channel": [_("Choose another way.")]},
        )
    refusal: ApplicationError | None = None
    with transaction.atomic():
        found = verification_ticket_get(ticket=ticket, purposes=purposes, now=now)
        _lock_number(found.verification.phone)
        verification = PhoneVerification.objects.select_for_update().get(pk=found.verification_id)
        if verification.status != VerificationStatus.PENDING:
            raise VerificationNotFound()
        _unlock_if_due(verification, now)
        refusal = limits.send_refusal(verification=verification, client_address=client_address, now=now, ticket=found)
        if refusal is None:
            _code_send(
                verification,
                channel=channel,
                client_address=client_address,
                language=language or found.language,
                now=now,
            )
    if refusal is not None:
        raise refusal
    return verification


def verification_attempt_fail(
    verification: PhoneVerification, *, ticket: VerificationTicket, now: dt.datetime
) -> ApplicationError:
    """Count one wrong answer sent with `ticket` on a locked verification row; the error to raise once the
    count is committed.

    Counted twice. On the ticket (together with the other live tickets of the verification from the same
    address): free tries, then a growing wait, then a day-long stop, all for those tickets only, so whoever
    sent the wrong codes cannot lock out the owner's ticket. On the verification: a ceiling much higher,
    never reset by a new code or a new ticket, that stops every ticket for a day (limits.VERIFICATION_MAX_ATTEMPTS)."""
    ticket.failed_attempts += 1
    ticket.save(update_fields=["failed_attempts"])
    failures = limits.ticket_failures(ticket, now)
    if verification.last_failed_at is not None and verification.last_failed_at <= now - limits.DAY:
        verification.failed_attempts = 0  # a whole day without a wrong code: the ceiling counts afresh
    verification.failed_attempts += 1
    verification.last_failed_at = now
    error: ApplicationError
    lock_error = TooManyAttempts(data={"retry_after": int(limits.LOCK.total_seconds())})
    if verification.failed_attempts >= limits.max_attempts_per_verification():
        verification.locked_until = now + limits.LOCK
        error = lock_error
    elif failures >= limits.max_attempts_per_ticket():
        ticket.attempts_blocked_until = now + limits.LOCK
        error = lock_error
    else:
        wait = limits.attempt_wait(failures)
        ticket.attempts_blocked_until = now + wait if wait else None
        error = CodeInvalid(
            data={
                "retry_after": int(wait.total_seconds()) if wait else 0,
                "attempts_left": min(
                    limits.max_attempts_per_ticket() - failures,
                    limits.max_attempts_per_verification() - verification.failed_attempts,
                ),
            }
        )
    ticket.save(update_fields=["attempts_blocked_until"])
    verification.save(update_fields=["failed_attempts", "last_failed_at", "locked_until", "updated_at"])
    return error


def verification_lock_for_answer(
    *, ticket: str, purposes: Collection[str] | None, now: dt.datetime
) -> tuple[VerificationTicket, PhoneVerification]:
    """Inside a transaction: the ticket and its verification, locked, ready to judge an answer (a code, a
    second factor). Raises TooManyAttempts while a wait or the day-long stop runs."""
    found = verification_ticket_get(ticket=ticket, purposes=purposes, now=now)
    verification = PhoneVerification.objects.select_for_update().get(pk=found.verification_id)
    found.refresh_from_db(fields=["failed_attempts", "attempts_blocked_until"])
    found.verification = verification
    _unlock_if_due(verification, now)
    refusal = limits.attempts_refusal(verification, found, now)
    if refusal is not None:
        raise refusal
    return found, verification


def verification_check(
    *,
    ticket: str,
    code: str,
    purposes: Collection[str] | None = None,
    on_verified: OnVerified | None = None,
    now: dt.datetime | None = None,
) -> VerificationTicket:
    """Prove the ticket's verification with `code`: any unexpired, unused code of it is accepted.

    On success the verification is verified, all its codes used, the ticket marked as the one that proved
    it, and `on_verified(ticket)` runs in the same transaction. Raises CodeInvalid (data: retry_after,
    attempts_left), CodeExpired (it matches a code that expired: not counted), TooManyAttempts,
    VerificationNotFound, or ValidationFailed when what was typed cannot be a code (not counted)."""
    now = now or timezone.now()
    cleaned = code_clean(code)
    if not cleaned:
        raise ValidationFailed(
            _("Enter the 6-digit code from the SMS."), fields={"code": [_("Enter the 6 digits of the code.")]}
        )
    error: ApplicationError | None = None
    with transaction.atomic(durable=True):
        found = verification_ticket_get(ticket=ticket, purposes=purposes, now=now)
        if found.verified_at is not None:
            return found  # this ticket already proved it (the same form sent twice)
        verification = PhoneVerification.objects.select_for_update().get(pk=found.verification_id)
        found.refresh_from_db(fields=["failed_attempts", "attempts_blocked_until"])
        found.verification = verification
        if verification.status != VerificationStatus.PENDING:
            raise VerificationNotFound()
        _unlock_if_due(verification, now)
        error = limits.attempts_refusal(verification, found, now)
        if error is None:
            matched = _code_matching(verification, cleaned, now)
            if matched is None or matched.used_at is not None:
                error = verification_attempt_fail(verification, ticket=found, now=now)
            elif matched.expires_at <= now:
                error = CodeExpired()
            else:
                verification.status = VerificationStatus.VERIFIED
                verification.verified_at = now
                verification.save(update_fields=["status", "verified_at", "updated_at"])
                verification.codes.filter(used_at__isnull=True).update(used_at=now)
                found.verified_at = now
                found.save(update_fields=["verified_at"])
                if on_verified is not None:
                    on_verified(found)
    if error is not None:
        raise error
    return found


def _code_matching(verification: PhoneVerification, code: str, now: dt.datetime) -> VerificationCode | None:
    """The code of this verification (sent in the last day) that `code` is; every candidate is compared in full."""
    matched = None
    for row in verification.codes.filter(created_at__gt=now - limits.DAY):
        if code_matches(digest=row.code_digest, verification_id=verification.pk, code=code):
            matched = row
    return matched
