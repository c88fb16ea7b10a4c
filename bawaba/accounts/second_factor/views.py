"""The security page: second factors on or off, setting up an authenticator app, recovery codes.

Every view here needs a recent sign-in (ASVS 7.5.1: MFA configuration is a sensitive change)."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from bawaba.accounts.errors import CodeInvalid
from bawaba.accounts.models import User
from bawaba.accounts.second_factor import qr
from bawaba.accounts.second_factor.forms import AuthenticatorCodeForm
from bawaba.accounts.second_factor.services import (
    SecondFactorError,
    authenticator_enrolment_confirm,
    authenticator_enrolment_start,
    authenticator_get,
    has_primary_factor,
    recovery_code_format,
    recovery_codes_create,
    recovery_codes_left,
    second_factor_remove,
)
from bawaba.accounts.sessions.reauth import reauthentication_required


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # noqa: S101 - reauthentication_required lets only signed-in people through
    return user


@never_cache
@require_GET
@reauthentication_required
def security(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    return render(
        request,
        "accounts/second_factor/security.html",
        {
            "authenticator": authenticator_get(user=user, confirmed=True),
            "has_factor": has_primary_factor(user),
            "codes_left": recovery_codes_left(user=user),
        },
    )


@require_POST
@reauthentication_required
def authenticator_start(request: HttpRequest) -> HttpResponse:
    try:
        authenticator_enrolment_start(user=_user(request))
    except SecondFactorError as error:
        messages.info(request, str(error.message))
        return redirect("accounts:security")
    return redirect("accounts:authenticator_confirm")


@never_cache
@require_http_methods(["GET", "POST"])
@reauthentication_required
def authenticator_confirm(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    device = authenticator_get(user=user, confirmed=False)
    if device is None:
        return redirect("accounts:security")
    form = AuthenticatorCodeForm(request.POST if request.method == "POST" else None)
    status = 200
    if form.is_bound:
        status = 400
        if form.is_valid():
            try:
                codes = authenticator_enrolment_confirm(user=user, token=form.cleaned_data["code"], request=request)
            except CodeInvalid as invalid:
                form.add_error("code", str(invalid.message))
            except SecondFactorError as error:
                messages.info(request, str(error.message))
                return redirect("accounts:security")
            else:
                messages.success(request, _("The authenticator app is on. You will need a code from it to sign in."))
                if codes:
                    return _recovery_codes_page(request, codes)
                return redirect("accounts:security")
    account_label = user.phone or user.get_username()
    return render(
        request,
        "accounts/second_factor/authenticator.html",
        {
            "form": form,
            "qr_svg": qr.qr_svg(
                qr.otpauth_url(device, account_label=account_label),
                title=_("QR code to scan with your authenticator app"),
            ),
            "secret_groups": qr.secret_groups(device),
        },
        status=status,
    )


@require_POST
@reauthentication_required
def authenticator_remove(request: HttpRequest) -> HttpResponse:
    second_factor_remove(user=_user(request), factor="authenticator", request=request)
    messages.success(request, _("The authenticator app is off. You now sign in with your password only."))
    return redirect("accounts:security")


@never_cache
@require_POST
@reauthentication_required
def recovery_codes_new(request: HttpRequest) -> HttpResponse:
    try:
        codes = recovery_codes_create(user=_user(request), request=request)
    except SecondFactorError as error:
        messages.info(request, str(error.message))
        return redirect("accounts:security")
    return _recovery_codes_page(request, codes)


def _recovery_codes_page(request: HttpRequest, codes: list[str]) -> HttpResponse:
    """Shown once, in the answer to the request that made them; never stored in clear, so never shown again."""
    formatted = [recovery_code_format(code) for code in codes]
    text = "\n".join([_("Bawaba recovery codes. Each code works once."), *formatted, ""])
    return render(request, "accounts/second_factor/recovery_codes.html", {"codes": formatted, "codes_text": text})
