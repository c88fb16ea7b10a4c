"""Sign-up: the account exists from the first step, and coming back with the same number resumes it.

A number that already has a verified account is answered exactly like a new one (same page, same JSON,
same SMS): the same sign-up verification of the number starts, with the same counters. Only after proving
the code is the holder told that the number has an account (and offered to sign in or set a new password);
that ticket's name and password are then never applied. Nobody anonymous ever learns whether a number is
registered (decision 0010).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bawaba.accounts.constants import AccountEventKind, VerificationPurpose
from bawaba.accounts.events import account_event_record
from bawaba.accounts.models import User, VerificationTicket
from bawaba.accounts.verification.services import VerificationStarted, verification_check, verification_start
from bawaba.core.errors import ValidationFailed
from bawaba.core.i18n import CONTENT_LANGUAGES
from bawaba.notifications.recipients import normalise_phone

FULL_NAME_MAX_LENGTH = 150
# Characters that may not appear in a name: controls, and the bidirectional overrides and isolates that
# make a name display as something else. ZWNJ and ZWJ stay: Persian-script Kurdish and Arabic need them.
_BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")
SIGNUP_PURPOSES = frozenset({VerificationPurpose.SIGNUP, VerificationPurpose.RECOVERY})


class NextStep:
    """What the holder of a proved ticket does next; part of the API contract."""

    SIGN_IN = "sign_in"  # a sign-up finished: the account is ready (the web signs them in at once)
    SET_PASSWORD = "set_password"  # noqa: S105 - a step's name. The number has an account: sign in, or set a new password (recovery)
    SIGN_UP = "sign_up"  # a recovery for a number with no account: create one


@dataclass(frozen=True)
class CodeProved:
    user: User | None
    next: str
    ticket: VerificationTicket


def phone_clean(raw: str, *, field: str = "phone") -> str:
    """E.164 for an Iraqi mobile number written any usual way; ValidationFailed naming `field` otherwise."""
    try:
        return normalise_phone(raw, iraqi_mobile_only=True).address
    except ValidationFailed as error:
        raise ValidationFailed(fields={field: [_phone_message(error)]}) from error


def _phone_message(error: ValidationFailed) -> str:
    if error.code == "not_iraqi_mobile":
        return _("Use an Iraqi mobile number, for example 0770 123 4567.")
    return _("Enter a mobile number, for example 0770 123 4567.")


def full_name_clean(raw: str) -> str:
    name = " ".join(str(raw or "").split())
    if not name:
        raise ValidationFailed(fields={"full_name": [_("Enter your full name.")]})
    if len(name) > FULL_NAME_MAX_LENGTH:
        raise ValidationFailed(
            fields={"full_name": [_("Use at most %(maximum)d characters.") % {"maximum": FULL_NAME_MAX_LENGTH}]}
        )
    if _BIDI_CONTROLS.search(name) or any(unicodedata.category(c) in {"Cc", "Cs", "Co", "Cn"} for c in name):
        raise ValidationFailed(fields={"full_name": [_("Use only letters, spaces and ordinary punctuation.")]})
    return name


def password_check(password: str, *, user: User) -> None:
    """Django's validators (length, breached and common passwords, not the person's number or name)."""
    try:
        validate_password(password, user=user)
    except ValidationError as error:
        raise ValidationFailed(fields={"password": list(error.messages)}) from error


def _signup_fields(*, phone: str, full_name: str, password: str) -> tuple[str, str]:
    """The clean number and name, or one ValidationFailed naming every field that is wrong."""
    fields: dict[str, list[str]] = {}
    address = name = ""
    try:
        address = phone_clean(phone)
    except ValidationFailed as error:
        fields.update(error.fields)
    try:
        name = full_name_clean(full_name)
    except ValidationFailed as error:
        fields.update(error.fields)
    try:
        password_check(password, user=User(phone=address or None, full_name=name))
    except ValidationFailed as error:
        fields.update(error.fields)
    if fields:
        raise ValidationFailed(fields=fields)
    return address, name


def _account_for_number(*, phone: str, full_name: str, password_hash: str, language: str) -> tuple[User, bool]:
    """The number's account, locked, created (unverified) if there is none. The flag says it was created."""
    user = User.objects.select_for_update().filter(phone=phone).first()
    if user is not None:
        return user, False
    user = User(phone=phone, full_name=full_name, password=password_hash, preferred_language=language)
    user.username = f"c-{user.public_id.hex}"
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError:
        # Someone signed up with this number between our look and our insert: resume theirs.
        return User.objects.select_for_update().get(phone=phone), False
    return user, True


def signup_start(
    *,
    phone: str,
    full_name: str,
    password: str,
    language: str,
    client_address: str,
    now: dt.datetime | None = None,
) -> VerificationStarted:
    """Start (or resume) a sign-up and send a code. The answer is the same whatever the number's history."""
    now = now or timezone.now()
    language = language if language in CONTENT_LANGUAGES else "ar"
    address, name = _signup_fields(phone=phone, full_name=full_name, password=password)
    # Hashed whichever way this goes, so a verified number takes as long to answer as a new one.
    password_hash = make_password(password)
    with transaction.atomic():
        user, created = _account_for_number(
            phone=address, full_name=name, password_hash=password_hash, language=language
        )
        if created:
            account_event_record(user=user, kind=AccountEventKind.SIGNUP_STARTED)
        # The number's sign-up verification, whether the account is new, left half-way or already verified:
        # same verification, same counters, same answer either way. The ticket carries these choices,
        # applied only if this ticket proves the code while the account is unverified (signup_complete);
        # for a verified account nothing of the form is kept.
        registered = user.phone_verified_at is not None
        return verification_start(
            purpose=VerificationPurpose.SIGNUP,
            phone=address,
            user=user,
            client_address=client_address,
            language=language,
            now=now,
            full_name="" if registered else name,
            password="" if registered else password_hash,
        )


def next_step(ticket: VerificationTicket) -> str:
    """A proved sign-up ticket whose choices were applied is used: sign in. One that found the number already
    verified is not: it may set a new password, like a recovery ticket of a number with an account."""
    verification = ticket.verification
    if verification.purpose == VerificationPurpose.SIGNUP and ticket.used_at is not None:
        return NextStep.SIGN_IN
    return NextStep.SET_PASSWORD if verification.user_id is not None else NextStep.SIGN_UP


def number_account(phone: str) -> User | None:
    """Inside a transaction: the live account that has this number now, locked, if any."""
    return User.objects.select_for_update().filter(phone=phone, deleted_at__isnull=True).first()


def signup_complete(*, ticket: str, code: str, now: dt.datetime | None = None) -> CodeProved:
    """Prove the code of a sign-up ticket (or of a recovery ticket: the API's verify takes both).

    A sign-up ticket that proves it applies its own name and password to the account, marks the number
    verified and is used up; the caller then signs the person in. Another person's ticket on the same
    verification never gets its choices applied."""
    now = now or timezone.now()

    def apply_choices(found: VerificationTicket) -> None:
        verification = found.verification
        # Who has the number now (the verification's account may be out of date: an account that moved
        # to another number, or one created since by someone who proved it).
        user = number_account(verification.phone)
        nothing_to_apply = user is None and not found.password
        if verification.purpose != VerificationPurpose.SIGNUP or nothing_to_apply or (user and user.phone_verified_at):
            # A recovery, or a sign-up of a number that has an account: nothing of this ticket is applied;
            # it may set a new password (next_step), or offer sign-up when there is no account.
            verification.user = user
            verification.save(update_fields=["user", "updated_at"])
            if found.password:
                found.password = ""
                found.save(update_fields=["password"])
            return
        if user is None:
            user, _created = _account_for_number(
                phone=verification.phone,
                full_name=found.full_name,
                password_hash=found.password,
                language=found.language or "ar",
            )
        if found.full_name:
            user.full_name = found.full_name
        if found.password:
            user.password = found.password
        if found.language:
            user.preferred_language = found.language
        user.phone_verified_at = now
        user.save(update_fields=["full_name", "password", "preferred_language", "phone_verified_at"])
        found.used_at = now
        found.password = ""  # the hash has done its job; don't keep a second copy
        found.save(update_fields=["used_at", "password"])
        account_event_record(user=user, kind=AccountEventKind.PHONE_VERIFIED)
        verification.user = user
        verification.save(update_fields=["user", "updated_at"])

    proved = verification_check(ticket=ticket, code=code, purposes=SIGNUP_PURPOSES, on_verified=apply_choices, now=now)
    return CodeProved(user=proved.verification.user, next=next_step(proved), ticket=proved)
