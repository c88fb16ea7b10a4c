"""Second factors on django-otp devices: TOTP (authenticator app), SMS codes and recovery codes.

Other parts of the accounts app call `user_has_second_factor` and `second_factor_verify`; the rest is the
security page's: enrolling an authenticator app, recovery codes, removing a factor.

Recovery codes are 16 random digits, read aloud in four groups ("4821 0937 5566 1203"): digits are the
same on every keyboard and in every language of the portal. They are lookup secrets of about 53 bits,
so ASVS 5.0 6.5.2 wants them stored with a password hash and a random salt: each set of codes gets a
random salt (kept in its StaticDevice's name) and each code is stored as Argon2id (the password
parameters) of the code, cut to the 16 characters django-otp's StaticToken holds. django-otp still does
the single use (the token row is deleted) and the throttling.

SMS codes are sent and checked by the verification engine (bawaba.accounts.verification, purpose
second_factor), never by django-otp. That SMS is on is a StaticDevice named "sms-codes" with no tokens:
django-otp then counts it as a device (so `user_has_second_factor` and every caller see it) and a
session that passed an SMS code is marked with it, so `is_verified()` is true as for the app.
"""

import base64
import secrets
from collections.abc import Callable

from argon2.low_level import Type, hash_secret_raw
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_otp import devices_for_user
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from bawaba.accounts.constants import AccountEventKind, VerificationPurpose
from bawaba.accounts.errors import CodeInvalid, VerificationNotFound
from bawaba.accounts.events import account_event_record
from bawaba.accounts.hashers import BawabaArgon2Hasher
from bawaba.accounts.models import User, VerificationTicket
from bawaba.accounts.sessions.constants import EndReason
from bawaba.accounts.sessions.services import sessions_end_all
from bawaba.accounts.verification.services import VerificationStarted, verification_check, verification_start
from bawaba.core.errors import ApplicationError
from bawaba.core.ratelimit import client_address
from bawaba.core.text import normalize_digits

RECOVERY_CODE_COUNT = 10
RECOVERY_CODE_DIGITS = 16
RECOVERY_DEVICE_PREFIX = "recovery-codes:"
AUTHENTICATOR_NAME = "Authenticator app"
SMS_DEVICE_NAME = "sms-codes"
TOTP_DIGITS = 6


class SecondFactorError(ApplicationError):
    code = "second_factor_invalid"
    status = 400


def user_has_second_factor(user: User) -> bool:
    return any(True for _device in devices_for_user(user, confirmed=True))


def second_factor_verify(*, user: User, token: str, sms_ticket: str | None = None) -> bool:
    """Whether `token` is a valid code from one of the person's confirmed devices; a recovery code is used up.

    An SMS code needs the ticket of the code sent for this check (`sms_code_send(...).ticket`, kept in the
    caller's session): without it only the app and recovery codes are tried. The device that took the
    code is left on `user.otp_device`, so that `sign_in_complete(..., with_second_factor=True)` on the
    same object marks the session as verified (django-otp's `is_verified`)."""
    device: Device | None = None
    if sms_ticket and len(token_clean(token)) == TOTP_DIGITS:
        try:
            device = sms_sign_in_check(user=user, ticket=sms_ticket, code=token)
        except ApplicationError:
            device = None  # counted by the verification engine; the app may still know the code
    if device is None:
        device = second_factor_match(user=user, token=token)
    if device is not None:
        user.otp_device = device  # type: ignore[attr-defined]
    return device is not None


def token_clean(token: str) -> str:
    """Only the digits: spaces and dashes dropped, Eastern Arabic and Persian digits made ASCII."""
    return "".join(normalize_digits(str(token or "")).replace(" ", "").replace("-", "").split())


def second_factor_match(*, user: User, token: str, request: HttpRequest | None = None) -> Device | None:
    """The confirmed device that accepts `token`, if any: 6 digits go to the authenticator app, 16 to the
    recovery codes (the one used is deleted and the history says so). Nothing else is tried, so a wrong
    kind of code never counts against the other kind's throttling."""
    token = token_clean(token)
    if not token.isascii() or not token.isdigit():
        return None
    with transaction.atomic():
        if len(token) == TOTP_DIGITS:
            for totp in TOTPDevice.objects.devices_for_user(user, confirmed=True).select_for_update():
                if totp.verify_token(token):
                    return totp
        elif len(token) == RECOVERY_CODE_DIGITS:
            for static in StaticDevice.objects.devices_for_user(user, confirmed=True).select_for_update():
                salt = _recovery_salt(static)
                if salt is not None and static.verify_token(_recovery_digest(token, salt)):
                    account_event_record(
                        user=user,
                        kind=AccountEventKind.RECOVERY_CODE_USED,
                        request=request,
                        codes_left=static.token_set.count(),
                    )
                    return static
    return None


def second_factor_throttle_seconds(*, user: User) -> int:
    """How long django-otp's own throttling of this person's devices still refuses codes (0: not at all)."""
    now = timezone.now()
    waits = [0]
    for device in devices_for_user(user, confirmed=True):
        allowed, details = device.verify_is_allowed()
        if not allowed and details and details.get("locked_until"):
            waits.append(int((details["locked_until"] - now).total_seconds()) + 1)
    return max(waits)


# Recovery codes


def _recovery_salt(device: StaticDevice) -> bytes | None:
    if not device.name.startswith(RECOVERY_DEVICE_PREFIX):
        return None
    try:
        return bytes.fromhex(device.name.removeprefix(RECOVERY_DEVICE_PREFIX))
    except ValueError:
        return None


def _recovery_digest(code: str, salt: bytes) -> str:
    raw = hash_secret_raw(
        secret=code.encode(),
        salt=salt,
        time_cost=BawabaArgon2Hasher.time_cost,
        memory_cost=BawabaArgon2Hasher.memory_cost,
        parallelism=BawabaArgon2Hasher.parallelism,
        hash_len=10,
        type=Type.ID,
    )
    return base64.b32encode(raw).decode().lower()  # 16 characters, 80 bits


def is_recovery_device(device: Device) -> bool:
    return isinstance(device, StaticDevice) and device.name.startswith(RECOVERY_DEVICE_PREFIX)


def recovery_code_format(code: str) -> str:
    """'4821093755661203' → '4821 0937 5566 1203', for reading aloud and copying."""
    return " ".join(code[index : index + 4] for index in range(0, len(code), 4))


def recovery_codes_left(*, user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def has_primary_factor(user: User) -> bool:
    """An authenticator app or SMS codes: what recovery codes stand in for."""
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).exists() or sms_factor_get(user=user) is not None


def recovery_codes_create(*, user: User, request: HttpRequest | None = None) -> list[str]:
    """Ten new recovery codes, replacing any earlier ones. Returned once, in clear; stored only hashed."""
    if not has_primary_factor(user):
        raise SecondFactorError(
            _("Recovery codes come with an authenticator app or SMS codes. Set one of those up first."),
            code="no_second_factor",
        )
    codes = [
        f"{secrets.randbelow(10**RECOVERY_CODE_DIGITS):0{RECOVERY_CODE_DIGITS}d}" for _ in range(RECOVERY_CODE_COUNT)
    ]
    salt = secrets.token_bytes(16)
    with transaction.atomic():
        StaticDevice.objects.filter(user=user, name__startswith=RECOVERY_DEVICE_PREFIX).delete()
        device = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE_PREFIX + salt.hex(), confirmed=True)
        StaticToken.objects.bulk_create(
            StaticToken(device=device, token=_recovery_digest(code, salt)) for code in codes
        )
        account_event_record(user=user, kind=AccountEventKind.RECOVERY_CODES_CREATED, request=request)
    return codes


# The authenticator app (TOTP, RFC 6238: 6 digits, 30 seconds, SHA-1, as every app supports)


def authenticator_get(*, user: User, confirmed: bool) -> TOTPDevice | None:
    return TOTPDevice.objects.devices_for_user(user, confirmed=confirmed).order_by("-pk").first()


def authenticator_enrolment_start(*, user: User) -> TOTPDevice:
    """A new secret for the app, not yet in use: it counts only once the person typed a code it made."""
    if authenticator_get(user=user, confirmed=True) is not None:
        raise SecondFactorError(
            _("You already use an authenticator app. Remove it first to set up another one."),
            code="already_enrolled",
        )
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        return TOTPDevice.objects.create(user=user, name=AUTHENTICATOR_NAME, confirmed=False)


def authenticator_enrolment_confirm(*, user: User, token: str, request: HttpRequest) -> list[str]:
    """Turn the app on with its first code. Returns new recovery codes when the person had none (else [])."""
    token = token_clean(token)
    with transaction.atomic():
        device = TOTPDevice.objects.filter(user=user, confirmed=False).select_for_update().order_by("-pk").first()
        if device is None:
            raise SecondFactorError(
                _("Setting up the app took too long or was started again. Please start again."),
                code="enrolment_not_found",
            )
        # verify_token records a wrong code (throttling) itself; the transaction must commit it.
        verified = len(token) == TOTP_DIGITS and token.isascii() and token.isdigit() and device.verify_token(token)
        if verified:
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            account_event_record(
                user=user, kind=AccountEventKind.SECOND_FACTOR_ADDED, request=request, factor="authenticator"
            )
    if not verified:
        raise CodeInvalid(_("That code is not right. Enter the 6 digits the app shows now for Bawaba."))
    _after_factor_change(user=user, request=request, device=device)
    if recovery_codes_left(user=user) == 0:
        return recovery_codes_create(user=user, request=request)
    return []


def second_factor_remove(*, user: User, factor: str, request: HttpRequest) -> None:
    """Turn a factor off. With no factor left, the recovery codes go too (they only stand in for one)."""
    with transaction.atomic():
        if factor == "authenticator":
            removed, _details = TOTPDevice.objects.filter(user=user).delete()
        elif factor == "sms":
            removed, _details = StaticDevice.objects.filter(user=user, name=SMS_DEVICE_NAME).delete()
        else:
            raise SecondFactorError(code="unknown_factor")
        if not has_primary_factor(user):
            StaticDevice.objects.filter(user=user, name__startswith=RECOVERY_DEVICE_PREFIX).delete()
        if removed:
            account_event_record(user=user, kind=AccountEventKind.SECOND_FACTOR_REMOVED, request=request, factor=factor)
    _after_factor_change(user=user, request=request, device=None)


def _after_factor_change(*, user: User, request: HttpRequest, device: Device | None) -> None:
    """Other sessions end (ASVS 7.4.3); this one stays, and counts as passed with the new factor."""
    sessions_end_all(user=user, reason=EndReason.SECOND_FACTOR_CHANGED, keep_session_key=request.session.session_key)
    if device is not None:
        from django_otp import login as otp_login

        otp_login(request, device)


# SMS codes (weaker: ASVS 6.6.1 allows them for a validated number, with a stronger option offered first)


def sms_factor_get(*, user: User) -> StaticDevice | None:
    return StaticDevice.objects.filter(user=user, name=SMS_DEVICE_NAME, confirmed=True).first()


def sms_code_send(*, user: User, request: HttpRequest) -> VerificationStarted:
    """A code by SMS to the person's own (verified) number, for turning SMS codes on or for signing in.

    The verification engine's limits apply (resend waits, hourly and daily caps): when they hold the code
    back, `code_sent` is False and the engine's state says when the next one may go."""
    if not user.phone or not user.is_phone_verified:
        raise SecondFactorError(_("Codes by SMS need a confirmed mobile number."), code="phone_not_verified")
    return verification_start(
        purpose=VerificationPurpose.SECOND_FACTOR,
        phone=user.phone,
        user=user,
        client_address=client_address(request),
        language=user.preferred_language or "ar",
    )


def _sms_code_check(*, user: User, ticket: str, code: str, on_proved: Callable[[], None]) -> None:
    """Check `code` against the SMS sent for `ticket` (which must be this person's); errors as the engine's."""

    def proved(found: VerificationTicket) -> None:
        # Bound to this person and used once (ASVS 6.6.2): a ticket for someone else proves nothing here.
        if found.verification.user_id != user.pk:
            raise VerificationNotFound()
        VerificationTicket.objects.filter(pk=found.pk).update(used_at=timezone.now())
        on_proved()

    verification_check(ticket=ticket, code=code, purposes=[VerificationPurpose.SECOND_FACTOR], on_verified=proved)


def sms_enrolment_confirm(*, user: User, ticket: str, code: str, request: HttpRequest) -> list[str]:
    """Turn SMS codes on with the code just sent. Returns new recovery codes when the person had none."""

    def turn_on() -> None:
        if sms_factor_get(user=user) is None:
            StaticDevice.objects.create(user=user, name=SMS_DEVICE_NAME, confirmed=True)
            account_event_record(user=user, kind=AccountEventKind.SECOND_FACTOR_ADDED, request=request, factor="sms")

    _sms_code_check(user=user, ticket=ticket, code=code, on_proved=turn_on)
    device = sms_factor_get(user=user)
    _after_factor_change(user=user, request=request, device=device)
    if recovery_codes_left(user=user) == 0:
        return recovery_codes_create(user=user, request=request)
    return []


def sms_sign_in_check(*, user: User, ticket: str, code: str) -> StaticDevice:
    """The SMS device, once `code` is the one sent for `ticket` to this person; else the engine's errors."""
    device = sms_factor_get(user=user)
    if device is None:
        raise VerificationNotFound()
    _sms_code_check(user=user, ticket=ticket, code=code, on_proved=lambda: None)
    return device
