"""The staff sign-in: username and password, then always a second factor, and only then a session.

Between the steps, this session remembers (for PENDING_SECONDS) whose password was right and which
device proved the second factor; that is never a sign-in. The session becomes a staff session only in
`staff_sign_in_finish`, through `sign_in_complete` (new session id, history, recent authentication),
with the device recorded for django-otp and the staff mark the admin asks for (bawaba.core.admin_site).
"""

import datetime as dt
from typing import Any

from django.contrib.auth import authenticate
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_otp.models import Device

from bawaba.accounts.constants import AccountEventKind
from bawaba.accounts.errors import CodeInvalid, TooManyAttempts
from bawaba.accounts.events import account_event_record
from bawaba.accounts.models import User
from bawaba.accounts.second_factor.services import second_factor_throttle_seconds
from bawaba.accounts.signin.services import sign_in_complete
from bawaba.accounts.staff import constants
from bawaba.accounts.staff.errors import StaffSignInExpired, StaffSignInFailed
from bawaba.accounts.staff.second_factor import staff_second_factor_verify
from bawaba.accounts.staff.selectors import is_staff_member
from bawaba.core.admin_site import STAFF_SIGN_IN_ATTRIBUTE
from bawaba.core.ratelimit import client_address, rate_limit_check

PENDING_SESSION_KEY = "bawaba_staff_sign_in_pending"


def staff_sign_in_password_check(*, request: HttpRequest, username: str, password: str) -> User:
    """The staff account these are for; StaffSignInFailed for anything else, citizens included.

    RateLimited (bawaba.core.ratelimit) before checking, once this address or this username tried
    too often: one answer whether or not the username exists."""
    username = username.strip()
    rate_limit_check(
        scope="staff-sign-in-address",
        identity=client_address(request),
        limit=constants.SIGN_IN_ATTEMPTS_PER_ADDRESS,
        window_seconds=constants.SIGN_IN_WINDOW_SECONDS,
    )
    if username:
        rate_limit_check(
            scope="staff-sign-in-account",
            identity=username.lower(),
            limit=constants.SIGN_IN_ATTEMPTS_PER_ACCOUNT,
            window_seconds=constants.SIGN_IN_WINDOW_SECONDS,
        )
    # The backend hashes the password for unknown usernames too, so timing does not tell them apart.
    user = authenticate(request, username=username, password=password)
    if isinstance(user, User) and is_staff_member(user):
        return user
    if user is None:
        staff = User.objects.filter(username=username, is_staff=True).first()
        if staff is not None:
            account_event_record(
                user=staff, kind=AccountEventKind.SIGN_IN_FAILED, request=request, step="password", staff=True
            )
    raise StaffSignInFailed()


def staff_sign_in_pending_start(
    request: HttpRequest, *, user: User, next_url: str, now: dt.datetime | None = None
) -> None:
    now = now or timezone.now()
    request.session.cycle_key()  # a new id once the password is right, and again at the end (login)
    request.session[PENDING_SESSION_KEY] = {
        "user": user.pk,
        "until": int(now.timestamp()) + constants.PENDING_SECONDS,
        "wrong_codes": 0,
        "device": "",
        "recovery_code_used": False,
        "next": next_url,
    }


def staff_sign_in_pending_get(request: HttpRequest, *, now: dt.datetime | None = None) -> tuple[User, dict[str, Any]]:
    """The staff member part-way through signing in in this session, or StaffSignInExpired."""
    now = now or timezone.now()
    pending = request.session.get(PENDING_SESSION_KEY)
    if not isinstance(pending, dict) or not isinstance(pending.get("until"), int) or pending["until"] < now.timestamp():
        request.session.pop(PENDING_SESSION_KEY, None)
        raise StaffSignInExpired()
    user = User.objects.filter(pk=int(pending.get("user") or 0)).first()
    if user is None or not is_staff_member(user):
        request.session.pop(PENDING_SESSION_KEY, None)
        raise StaffSignInExpired()
    return user, pending


def staff_sign_in_pending_save(request: HttpRequest, pending: dict[str, Any]) -> None:
    request.session[PENDING_SESSION_KEY] = pending


def staff_sign_in_wrong_code(request: HttpRequest, *, user: User, pending: dict[str, Any]) -> None:
    """Count a wrong code; after a few, the pending sign-in ends and the password is asked again."""
    account_event_record(
        user=user, kind=AccountEventKind.SIGN_IN_FAILED, request=request, step="second_factor", staff=True
    )
    pending["wrong_codes"] = int(pending.get("wrong_codes", 0)) + 1
    if pending["wrong_codes"] >= constants.PENDING_WRONG_CODES:
        request.session.pop(PENDING_SESSION_KEY, None)
        raise StaffSignInExpired()
    staff_sign_in_pending_save(request, pending)


def staff_code_attempt_count(*, user: User) -> None:
    """RateLimited once this account tried too many codes in the window, whichever browser tries."""
    rate_limit_check(
        scope="staff-second-factor",
        identity=str(user.pk),
        limit=constants.CODE_ATTEMPTS_PER_ACCOUNT,
        window_seconds=constants.SIGN_IN_WINDOW_SECONDS,
    )


def staff_sign_in_code_check(*, request: HttpRequest, code: str) -> Device:
    """The device that accepted `code` for the pending staff member, now remembered in the pending state.

    CodeInvalid for a wrong code; StaffSignInExpired after too many; RateLimited for the account;
    TooManyAttempts while django-otp's wait after the last wrong code runs (not counted as a try)."""
    user, pending = staff_sign_in_pending_get(request)
    staff_code_attempt_count(user=user)
    wait = second_factor_throttle_seconds(user=user)
    if wait:
        raise TooManyAttempts(
            ngettext(
                "Please wait %(seconds)d second, then enter the code again.",
                "Please wait %(seconds)d seconds, then enter the code again.",
                wait,
            )
            % {"seconds": wait},
            data={"retry_after": wait},
        )
    device = staff_second_factor_verify(user=user, token=code, request=request)
    if device is None:
        staff_sign_in_wrong_code(request, user=user, pending=pending)
        raise CodeInvalid(_("That code is not right. Enter the 6 digits your app shows now, or a recovery code."))
    pending["device"] = device.persistent_id
    pending["recovery_code_used"] = device.persistent_id.startswith("otp_static.")
    staff_sign_in_pending_save(request, pending)
    return device


def staff_sign_in_device(user: User, pending: dict[str, Any]) -> Device | None:
    """The device that proved the second factor in this pending sign-in, if it is still the person's."""
    persistent_id = str(pending.get("device") or "")
    if not persistent_id:
        return None
    device = Device.from_persistent_id(persistent_id)
    if device is None or device.user_id != user.pk or not device.confirmed:
        return None
    return device


def staff_sign_in_finish(request: HttpRequest, *, user: User, device: Device) -> None:
    """Open the staff session: a new session id, the device for django-otp, the staff mark for the admin."""
    request.session.pop(PENDING_SESSION_KEY, None)
    user.otp_device = device  # type: ignore[attr-defined]
    setattr(user, STAFF_SIGN_IN_ATTRIBUTE, True)
    sign_in_complete(request, user=user, with_second_factor=True)
