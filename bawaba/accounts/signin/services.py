"""Signing a person in once they have proved who they are. Every flow that ends signed in calls
`sign_in_complete`; the sign-in page gets there through `sign_in_password_check` and, for a person with a
second factor, `sign_in_second_factor_check`. Throttling: docs/decisions/0011-sign-in-protection.md.
"""

import datetime as dt
import functools
from typing import Any

from django.contrib.auth import authenticate, login, logout
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.middleware import is_verified as otp_is_verified
from django_otp.models import Device

from bawaba.accounts.constants import AccountEventKind, VerificationPurpose
from bawaba.accounts.errors import CodeExpired, CodeInvalid, TooManyAttempts, VerificationNotFound
from bawaba.accounts.events import account_event_record
from bawaba.accounts.models import User
from bawaba.accounts.second_factor.services import (
    TOTP_DIGITS,
    second_factor_match,
    second_factor_throttle_seconds,
    sms_code_send,
    sms_factor_get,
    sms_sign_in_check,
    token_clean,
    user_has_second_factor,
)
from bawaba.accounts.sessions.reauth import mark_authenticated_now
from bawaba.accounts.signin import throttling
from bawaba.accounts.signin.device_cookies import device_nonce_for
from bawaba.accounts.signin.errors import SecondFactorRequired, SignInExpired, SignInFailed, SignInThrottled
from bawaba.accounts.verification.services import verification_resend
from bawaba.core.errors import ApplicationError
from bawaba.core.ratelimit import client_address
from bawaba.notifications.recipients import normalise_phone

BACKEND = "bawaba.accounts.backends.PhoneOrUsernameBackend"

# The step between the right password and the second factor lives in the session, never as a sign-in.
PENDING_SESSION_KEY = "bawaba_sign_in_pending"
PENDING_SECONDS = 5 * 60
PENDING_WRONG_CODES = 5


def sign_in_complete(request: HttpRequest, *, user: User, with_second_factor: bool = False) -> None:
    """A new session id (Django's login() cycles the key: ASVS 7.2.4), the history entry, recent authentication.

    A person with a second factor is signed in only by a flow that checked it (`with_second_factor=True`,
    after `second_factor_verify`, which leaves the device on `user.otp_device`): no flow can skip it."""
    if not with_second_factor and user_has_second_factor(user):
        raise SecondFactorRequired()
    request.session.pop(PENDING_SESSION_KEY, None)
    # What django-otp's middleware gives request.user, so this very request (and the sessions receivers of
    # user_logged_in) already see whether a second factor was passed; django-otp stores the device at login.
    if not hasattr(user, "otp_device"):
        user.otp_device = None  # type: ignore[attr-defined]
    user.is_verified = functools.partial(otp_is_verified, user)  # type: ignore[attr-defined]
    login(request, user, backend=BACKEND)
    mark_authenticated_now(request)
    throttling.number_failures_clear(user=user)
    throttling.second_factor_failures_clear(user=user)
    account_event_record(
        user=user, kind=AccountEventKind.SIGNED_IN, request=request, with_second_factor=with_second_factor
    )


def sign_in_password_check(*, request: HttpRequest, phone: str, password: str, now: dt.datetime | None = None) -> User:
    """The account whose number and password these are, if it may sign in.

    Otherwise SignInFailed, the same for an unknown number, a wrong password and an unfinished sign-up,
    after the same work (the backend hashes the password even for a number without an account). Before
    checking, SignInThrottled when this browser (with a device cookie for the account) or, without one,
    the number or the address must wait. `phone` is a valid mobile number in any format."""
    now = now or timezone.now()
    number = normalise_phone(phone).address
    account = User.objects.filter(phone=number, deleted_at__isnull=True).first()
    nonce = device_nonce_for(request, user=account, now=now) if account is not None else None
    address = client_address(request)

    if nonce is not None:
        wait = throttling.device_failures(nonce=nonce).retry_after(now)
    else:
        wait = max(
            throttling.address_retry_after(address=address, now=now),
            throttling.number_failures(phone=number, user=account).retry_after(now),
        )
    if wait:
        raise SignInThrottled(data={"retry_after": wait})

    user = authenticate(request, phone=number, password=password)
    if isinstance(user, User) and account is not None and user.pk == account.pk and user.is_phone_verified:
        return user

    if nonce is not None:
        wait = throttling.device_failure_add(nonce=nonce, now=now).retry_after(now)
    else:
        wait = max(
            throttling.number_failure_add(phone=number, user=account, now=now).retry_after(now),
            throttling.address_failure_add(address=address, now=now),
        )
    if account is not None:
        account_event_record(
            user=account,
            kind=AccountEventKind.SIGN_IN_FAILED,
            request=request,
            step="password",
            trusted_device=bool(nonce),
        )
    raise SignInFailed(data={"retry_after": wait or None})


# The step after the password, for a person with a second factor


def sign_in_pending_start(request: HttpRequest, *, user: User, next_url: str, now: dt.datetime | None = None) -> None:
    """Remember, in this session only and for a few minutes, whose password was right. Not a sign-in."""
    now = now or timezone.now()
    request.session.cycle_key()
    request.session[PENDING_SESSION_KEY] = {
        "user": user.pk,
        "until": int(now.timestamp()) + PENDING_SECONDS,
        "wrong_codes": 0,
        "next": next_url,
    }


def sign_in_pending_get(request: HttpRequest, *, now: dt.datetime | None = None) -> tuple[User, dict[str, Any]]:
    """The person waiting to give their second factor in this session, or SignInExpired."""
    now = now or timezone.now()
    pending = request.session.get(PENDING_SESSION_KEY)
    if not isinstance(pending, dict) or not isinstance(pending.get("until"), int) or pending["until"] < now.timestamp():
        request.session.pop(PENDING_SESSION_KEY, None)
        raise SignInExpired()
    user_id = pending.get("user")
    user = (
        User.objects.filter(pk=user_id, deleted_at__isnull=True, is_active=True).first()
        if isinstance(user_id, int)
        else None
    )
    if user is None:
        request.session.pop(PENDING_SESSION_KEY, None)
        raise SignInExpired()
    return user, pending


def sign_in_second_factor_check(
    *, request: HttpRequest, code: str, now: dt.datetime | None = None
) -> tuple[User, Device]:
    """The pending person and the device that accepted `code`: the SMS sent in this step (if one was), the
    authenticator app or a recovery code. Wrong codes: CodeInvalid, and after a few the pending step ends
    (SignInExpired: the password again); too many for the account: SignInThrottled."""
    now = now or timezone.now()
    user, pending = sign_in_pending_get(request, now=now)
    wait = max(throttling.second_factor_failures(user=user).retry_after(now), second_factor_throttle_seconds(user=user))
    if wait:
        raise SignInThrottled(data={"retry_after": wait})
    device: Device | None = None
    sms_refusal: ApplicationError | None = None
    sms_ticket = pending.get("sms_ticket")
    if isinstance(sms_ticket, str) and len(token_clean(code)) == TOTP_DIGITS:
        try:
            device = sms_sign_in_check(user=user, ticket=sms_ticket, code=code)
        except VerificationNotFound:
            pending.pop("sms_ticket", None)
        except (CodeInvalid, CodeExpired, TooManyAttempts) as refusal:
            # The engine counted it against the SMS; the app may still know the code.
            sms_refusal = refusal
    if device is None:
        device = second_factor_match(user=user, token=code, request=request)
    if device is not None:
        return user, device
    throttling.second_factor_failure_add(user=user, now=now)
    account_event_record(user=user, kind=AccountEventKind.SIGN_IN_FAILED, request=request, step="second_factor")
    pending["wrong_codes"] = int(pending.get("wrong_codes", 0)) + 1
    if pending["wrong_codes"] >= PENDING_WRONG_CODES:
        request.session.pop(PENDING_SESSION_KEY, None)
        raise SignInExpired()
    request.session[PENDING_SESSION_KEY] = pending
    if isinstance(sms_refusal, CodeExpired | TooManyAttempts):
        raise sms_refusal
    raise CodeInvalid(_("That code is not right. Check the code and try again, or use a recovery code."))


def sign_in_sms_send(*, request: HttpRequest, now: dt.datetime | None = None) -> bool:
    """Send (or send again) a sign-in code by SMS to the pending person, if SMS codes are on for them.

    Returns whether a code went out now; the engine's ResendNotYet, CodeLimitReached or TooManyAttempts
    (with retry_after) say why not."""
    now = now or timezone.now()
    user, pending = sign_in_pending_get(request, now=now)
    if sms_factor_get(user=user) is None:
        raise SignInExpired()
    ticket = pending.get("sms_ticket")
    if isinstance(ticket, str):
        try:
            verification_resend(
                ticket=ticket,
                client_address=client_address(request),
                purposes=[VerificationPurpose.SECOND_FACTOR],
                now=now,
            )
        except VerificationNotFound:
            pass
        else:
            return True
    started = sms_code_send(user=user, request=request)
    pending["sms_ticket"] = started.ticket
    request.session[PENDING_SESSION_KEY] = pending
    return started.code_sent


def sign_out(request: HttpRequest) -> None:
    """End this session (the sessions receivers close its row); the device cookie stays, by design."""
    user = request.user
    if isinstance(user, User) and user.is_authenticated:
        account_event_record(user=user, kind=AccountEventKind.SIGNED_OUT, request=request)
    logout(request)
