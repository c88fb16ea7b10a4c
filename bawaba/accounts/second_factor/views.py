"""The security page: second factors on or off, setting up an authenticator app, recovery codes.

Every view here needs a recent sign-in (ASVS 7.5.1: MFA configuration is a sensitive change)."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from bawaba.accounts.constants import VerificationPurpose
from bawaba.accounts.errors import (
    CodeExpired,
    CodeInvalid,
    CodeLimitReached,
    ResendNotYet,
    TooManyAttempts,
    VerificationNotFound,
)
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
    sms_code_send,
    sms_enrolment_confirm,
    sms_factor_get,
)
from bawaba.accounts.sessions.reauth import reauthentication_required
from bawaba.accounts.verification.selectors import phone_masked
from bawaba.accounts.verification.services import verification_resend
from bawaba.core.errors import ApplicationError, ValidationFailed
from bawaba.core.ratelimit import client_address


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
            "sms": sms_factor_get(user=user),
            "phone_masked": phone_masked(user.phone or ""),
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
    user = _user(request)
    second_factor_remove(user=user, factor="authenticator", request=request)
    messages.success(request, _factor_off_message(user, _("The authenticator app is off.")))
    return redirect("accounts:security")


def _factor_off_message(user: User, first: str) -> str:
    if has_primary_factor(user):
        return first
    return first + " " + _("You now sign in with your password only.")


# SMS codes: the same engine as phone verification sends and checks them; its ticket waits in the session.

SMS_TICKET_SESSION_KEY = "bawaba_sms_factor_ticket"


@require_POST
@reauthentication_required
def sms_start(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if sms_factor_get(user=user) is not None:
        return redirect("accounts:security")
    try:
        started = sms_code_send(user=user, request=request)
    except (SecondFactorError, ValidationFailed) as error:
        messages.info(request, str(error.message))
        return redirect("accounts:security")
    request.session[SMS_TICKET_SESSION_KEY] = started.ticket
    if not started.code_sent:
        messages.info(request, _("We cannot send another code yet. Use the last code we sent, or try again later."))
    return redirect("accounts:sms_confirm")


@require_POST
@reauthentication_required
def sms_resend(request: HttpRequest) -> HttpResponse:
    ticket = request.session.get(SMS_TICKET_SESSION_KEY)
    if not isinstance(ticket, str):
        return redirect("accounts:security")
    try:
        verification_resend(
            ticket=ticket, client_address=client_address(request), purposes=[VerificationPurpose.SECOND_FACTOR]
        )
    except VerificationNotFound:
        request.session.pop(SMS_TICKET_SESSION_KEY, None)
        return redirect("accounts:security")
    except (ResendNotYet, CodeLimitReached, TooManyAttempts) as refusal:
        messages.info(request, _held_back(refusal))
    else:
        messages.info(request, _("We sent a new code by SMS. It can take a minute to arrive."))
    return redirect("accounts:sms_confirm")


def _held_back(refusal: ApplicationError) -> str:
    seconds = int(refusal.data.get("retry_after") or 0)
    if not seconds:
        return str(refusal.message)
    minutes = -(-seconds // 60)
    return f"{refusal.message} " + ngettext(
        "You can ask again in %(minutes)d minute.", "You can ask again in %(minutes)d minutes.", minutes
    ) % {"minutes": minutes}


@never_cache
@require_http_methods(["GET", "POST"])
@reauthentication_required
def sms_confirm(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    ticket = request.session.get(SMS_TICKET_SESSION_KEY)
    if not isinstance(ticket, str):
        return redirect("accounts:security")
    form = AuthenticatorCodeForm(request.POST if request.method == "POST" else None)
    form.fields["code"].label = _("The 6-digit code from the SMS")
    error: ApplicationError | None = None
    status = 200
    if form.is_bound:
        status = 400
        if form.is_valid():
            try:
                codes = sms_enrolment_confirm(user=user, ticket=ticket, code=form.cleaned_data["code"], request=request)
            except (CodeInvalid, CodeExpired, ValidationFailed) as invalid:
                form.add_error("code", str(invalid.message))
            except TooManyAttempts as refusal:
                error, status = refusal, refusal.status
            except VerificationNotFound:
                request.session.pop(SMS_TICKET_SESSION_KEY, None)
                messages.info(request, _("This code has ended. Please start again."))
                return redirect("accounts:security")
            else:
                request.session.pop(SMS_TICKET_SESSION_KEY, None)
                messages.success(request, _("SMS codes are on. You will need a code from an SMS to sign in."))
                if codes:
                    return _recovery_codes_page(request, codes)
                return redirect("accounts:security")
    return render(
        request,
        "accounts/second_factor/sms.html",
        {
            "form": form,
            "error": error,
            "wait_minutes": -(-int(error.data.get("retry_after") or 0) // 60) if error else 0,
            "phone_masked": phone_masked(user.phone or ""),
        },
        status=status,
    )


@require_POST
@reauthentication_required
def sms_remove(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    second_factor_remove(user=user, factor="sms", request=request)
    messages.success(request, _factor_off_message(user, _("SMS codes are off.")))
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
