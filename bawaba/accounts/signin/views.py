"""The sign-in page, the second step for a person with a second factor, and signing out."""

import math

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from bawaba.accounts.errors import CodeExpired, CodeInvalid, CodeLimitReached, ResendNotYet, TooManyAttempts
from bawaba.accounts.forms import SecondFactorCodeForm
from bawaba.accounts.second_factor.services import (
    authenticator_get,
    is_recovery_device,
    recovery_codes_left,
    sms_factor_get,
    user_has_second_factor,
)
from bawaba.accounts.signin.device_cookies import device_cookie_set
from bawaba.accounts.signin.errors import SignInExpired, SignInFailed, SignInThrottled
from bawaba.accounts.signin.forms import SignInForm
from bawaba.accounts.signin.services import (
    sign_in_complete,
    sign_in_password_check,
    sign_in_pending_get,
    sign_in_pending_start,
    sign_in_second_factor_check,
    sign_in_sms_send,
    sign_out,
)
from bawaba.accounts.verification.selectors import phone_masked
from bawaba.core.errors import ApplicationError, ValidationFailed


def safe_next_url(request: HttpRequest, candidate: str | None) -> str:
    """Where to go after signing in: `candidate` only if it stays on this site (ASVS 3.7.2), else the account."""
    candidate = (candidate or "").strip()
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse(settings.LOGIN_REDIRECT_URL)


def _wait_minutes(error: ApplicationError | None) -> int:
    seconds = (error.data.get("retry_after") or 0) if error is not None else 0
    return math.ceil(seconds / 60) if seconds else 0


@never_cache
@sensitive_post_parameters("password")
@require_http_methods(["GET", "POST"])
def sign_in(request: HttpRequest) -> HttpResponse:
    next_url = safe_next_url(request, request.POST.get("next") or request.GET.get("next"))
    if request.method == "GET" and request.user.is_authenticated:
        return redirect(next_url)
    form = SignInForm(request.POST if request.method == "POST" else None, initial={"next": next_url})
    error: ApplicationError | None = None
    status = 200
    if form.is_bound:
        status = 400
        if form.is_valid():
            try:
                user = sign_in_password_check(
                    request=request, phone=form.cleaned_data["phone"], password=form.cleaned_data["password"]
                )
            except (SignInFailed, SignInThrottled) as failure:
                error, status = failure, failure.status
            else:
                if user_has_second_factor(user):
                    sign_in_pending_start(request, user=user, next_url=next_url)
                    if sms_factor_get(user=user) is not None and authenticator_get(user=user, confirmed=True) is None:
                        # SMS is their only factor: the code goes now (the page says if the limits held it back).
                        _sms_send(request)
                    return redirect("accounts:sign_in_second_factor")
                sign_in_complete(request, user=user)
                response = redirect(next_url)
                device_cookie_set(response, request=request, user=user)
                return response
    page = render(
        request,
        "accounts/signin/sign_in.html",
        {"form": form, "error": error, "wait_minutes": _wait_minutes(error)},
        status=status,
    )
    if isinstance(error, SignInThrottled):
        page["Retry-After"] = str(error.data["retry_after"])
    return page


@never_cache
@require_http_methods(["GET", "POST"])
def sign_in_second_factor(request: HttpRequest) -> HttpResponse:
    try:
        user, pending = sign_in_pending_get(request)
    except SignInExpired as expired:
        messages.info(request, str(expired.message))
        return redirect("accounts:sign_in")
    form = SecondFactorCodeForm(request.POST if request.method == "POST" else None)
    error: ApplicationError | None = None
    status = 200
    if form.is_bound:
        status = 400
        if form.is_valid():
            try:
                user, device = sign_in_second_factor_check(request=request, code=form.cleaned_data["code"])
            except SignInExpired as expired:
                messages.info(request, str(expired.message))
                return redirect("accounts:sign_in")
            except (CodeInvalid, CodeExpired) as invalid:
                form.add_error("code", str(invalid.message))
            except (SignInThrottled, TooManyAttempts) as throttled:
                error, status = throttled, throttled.status
            else:
                user.otp_device = device  # type: ignore[attr-defined]
                sign_in_complete(request, user=user, with_second_factor=True)
                if is_recovery_device(device):
                    messages.warning(request, _recovery_code_used_message(recovery_codes_left(user=user)))
                response = redirect(safe_next_url(request, pending.get("next")))
                device_cookie_set(response, request=request, user=user)
                return response
    return render(
        request,
        "accounts/signin/second_factor.html",
        {
            "form": form,
            "error": error,
            "wait_minutes": _wait_minutes(error),
            "has_authenticator": authenticator_get(user=user, confirmed=True) is not None,
            "has_sms": sms_factor_get(user=user) is not None,
            "sms_sent": "sms_ticket" in pending,
            "phone_masked": phone_masked(user.phone or ""),
        },
        status=status,
    )


def _sms_send(request: HttpRequest) -> None:
    """Send a sign-in code by SMS, and say what happened (the limits may hold it back for a while)."""
    try:
        sent = sign_in_sms_send(request=request)
    except (ResendNotYet, CodeLimitReached, TooManyAttempts) as refusal:
        messages.info(request, _sms_held_back_message(refusal))
        return
    except ValidationFailed as invalid:
        messages.info(request, str(invalid.message))
        return
    if sent:
        messages.info(request, _("We sent a code by SMS. It can take a minute to arrive."))
    else:
        messages.info(request, _("We cannot send another code yet. Use the last code we sent, or try again later."))


def _sms_held_back_message(refusal: ApplicationError) -> str:
    minutes = _wait_minutes(refusal)
    if not minutes:
        return str(refusal.message)
    return (
        str(refusal.message)
        + " "
        + ngettext("You can ask again in %(minutes)d minute.", "You can ask again in %(minutes)d minutes.", minutes)
        % {"minutes": minutes}
    )


@require_POST
def sign_in_second_factor_sms(request: HttpRequest) -> HttpResponse:
    try:
        _sms_send(request)
    except SignInExpired as expired:
        messages.info(request, str(expired.message))
        return redirect("accounts:sign_in")
    return redirect("accounts:sign_in_second_factor")


def _recovery_code_used_message(left: int) -> str:
    return _("You used a recovery code. You have %(count)d left. You can make new ones on the security page.") % {
        "count": left
    }


@require_POST
def sign_out_view(request: HttpRequest) -> HttpResponse:
    sign_out(request)
    messages.success(request, _("You have signed out."))
    return redirect("accounts:sign_in")
