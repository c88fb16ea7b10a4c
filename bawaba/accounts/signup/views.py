"""Sign-up and the page that waits for the code (shared with recovery). Thin: forms in, services, pages out."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from bawaba.accounts.constants import CodeChannel
from bawaba.accounts.errors import CodeLimitReached, ResendNotYet, TooManyAttempts, VerificationNotFound
from bawaba.accounts.models import VerificationTicket
from bawaba.accounts.recovery.services import RECOVERY_PURPOSES, recovery_verify
from bawaba.accounts.signin.services import sign_in_complete
from bawaba.accounts.signup.forms import CodeForm, ResendForm, ServiceCentreForm, SignupForm
from bawaba.accounts.signup.services import SIGNUP_PURPOSES, CodeProved, NextStep, signup_complete, signup_start
from bawaba.accounts.verification.limits import start_rate_limit_check
from bawaba.accounts.verification.selectors import (
    governorate_list,
    service_centres,
    verification_state,
    verification_ticket_get,
)
from bawaba.accounts.verification.services import verification_resend
from bawaba.accounts.verification.web import (
    PREFILL_KEY,
    held_ticket,
    hold_ticket,
    release_ticket,
    state_as_dict,
    wait_words,
)
from bawaba.core.errors import ApplicationError, ValidationFailed
from bawaba.core.i18n import current_language
from bawaba.core.ratelimit import RateLimited, client_address


def start_rate_limit(request: HttpRequest) -> None:
    start_rate_limit_check(client_address=client_address(request))


def form_errors_from(form: forms.Form, error: ApplicationError, *, field: str | None = None) -> None:
    """Show a service's error on the form: on the fields it names, else on `field` (or at the top), so the
    input it is about is marked invalid and described by it."""
    placed = False
    for name, field_messages in error.fields.items():
        for message in field_messages:
            if name in form.fields:
                form.add_error(name, message)
                placed = True
    if not placed:
        form.add_error(field, str(error.message))


def _purposes(flow: str) -> frozenset[str]:
    return SIGNUP_PURPOSES if flow == "signup" else RECOVERY_PURPOSES


def _current_ticket(request: HttpRequest) -> tuple[VerificationTicket, str] | None:
    """The usable ticket this browser holds, and its flow; a ticket that ended is forgotten."""
    held = held_ticket(request.session)
    if held is None:
        return None
    ticket, flow = held
    try:
        found = verification_ticket_get(ticket=ticket, purposes=_purposes(flow))
    except VerificationNotFound:
        release_ticket(request.session)
        return None
    return found, flow


@never_cache
@sensitive_post_parameters("password")
@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("accounts:home")
    if request.method == "GET":
        current = _current_ticket(request)
        if current is not None and current[1] == "signup" and current[0].verified_at is None:
            return redirect("accounts:verify")  # back to where they were, however they came here
        form = SignupForm(initial={"phone": request.session.pop(PREFILL_KEY, "")})
        return render(request, "accounts/signup/signup.html", {"form": form})
    form = SignupForm(request.POST)
    if form.is_valid():
        try:
            start_rate_limit(request)
            started = signup_start(
                phone=form.cleaned_data["phone"],
                full_name=form.cleaned_data["full_name"],
                password=form.cleaned_data["password"],
                language=current_language(),
                client_address=client_address(request),
            )
        except (ValidationFailed, RateLimited) as error:
            form_errors_from(form, error)
        else:
            hold_ticket(request.session, ticket=started.ticket, flow="signup")
            return redirect("accounts:verify")
    return render(request, "accounts/signup/signup.html", {"form": form}, status=400)


def _start_again(request: HttpRequest, flow: str | None) -> HttpResponse:
    messages.info(request, _("This code request has ended. Enter your number again to continue."))
    return redirect("accounts:recover" if flow == "recovery" else "accounts:signup")


def _after_proof(request: HttpRequest, proved: CodeProved) -> HttpResponse:
    if proved.next == NextStep.SIGN_IN and proved.user is not None:
        release_ticket(request.session)
        sign_in_complete(request, user=proved.user)
        messages.success(request, _("Your number is confirmed and your account is ready."))
        return redirect("accounts:home")
    return redirect("accounts:recover_password")


def _verify_page(
    request: HttpRequest, found: VerificationTicket, flow: str, form: CodeForm, *, status: int = 200
) -> HttpResponse:
    state = verification_state(verification=found.verification, ticket=found)
    context = {
        "state": state,
        "flow": flow,
        "form": form,
        "resend_words": format_html("<span data-resend-words>{}</span>", wait_words(state.resend_in))
        if state.resend_in
        else "",
        "attempts_words": wait_words(state.attempts_wait) if state.attempts_wait else "",
        "expires_words": wait_words(state.code_expires_in) if state.code_expires_in else "",
        "other_channels": [name for name in state.alternatives if name in CodeChannel.values],
        "service_centre": "service_centre" in state.alternatives,
    }
    return render(request, "accounts/signup/verify.html", context, status=status)


@never_cache
@sensitive_post_parameters("code")
@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    held = held_ticket(request.session)
    current = _current_ticket(request)
    if held is None or current is None:
        return _start_again(request, held[1] if held else None)
    found, flow = current
    if found.verified_at is not None:
        return redirect("accounts:recover_password")
    if request.method == "GET":
        return _verify_page(request, found, flow, CodeForm())
    form = CodeForm(request.POST)
    if not form.is_valid():
        return _verify_page(request, found, flow, form, status=400)
    check = signup_complete if flow == "signup" else recovery_verify
    try:
        proved = check(ticket=held[0], code=form.cleaned_data["code"])
    except VerificationNotFound:
        release_ticket(request.session)
        return _start_again(request, flow)
    except ApplicationError as error:
        form_errors_from(form, error, field="code")
        found.verification.refresh_from_db()
        return _verify_page(request, found, flow, form, status=error.status)
    return _after_proof(request, proved)


@require_POST
def verify_resend(request: HttpRequest) -> HttpResponse:
    held = held_ticket(request.session)
    if held is None:
        return _start_again(request, None)
    ticket, flow = held
    form = ResendForm(request.POST)
    channel = form.cleaned_data["channel"] if form.is_valid() and form.cleaned_data["channel"] else CodeChannel.SMS
    try:
        verification_resend(
            ticket=ticket,
            channel=channel,
            client_address=client_address(request),
            language=current_language(),
            purposes=_purposes(flow),
        )
    except VerificationNotFound:
        release_ticket(request.session)
        return _start_again(request, flow)
    except (ResendNotYet, CodeLimitReached, TooManyAttempts) as error:
        messages.error(
            request,
            _("%(reason)s You can ask again in %(wait)s.")
            % {"reason": error.message, "wait": wait_words(int(error.data.get("retry_after", 0)))},
        )
    except ValidationFailed as error:
        messages.error(request, str(error.message))
    else:
        messages.success(
            request,
            _("We are calling you with a new code.")
            if channel == CodeChannel.VOICE
            else _("We sent a new code by WhatsApp.")
            if channel == CodeChannel.WHATSAPP
            else _("We sent a new code. Any code that has not expired will work."),
        )
    return redirect("accounts:verify")


@require_POST
def verify_restart(request: HttpRequest) -> HttpResponse:
    """ "Use another number": forget this browser's ticket (the verification itself waits, in case they return)."""
    held = held_ticket(request.session)
    release_ticket(request.session)
    return redirect("accounts:recover" if held and held[1] == "recovery" else "accounts:signup")


@never_cache
@require_GET
def verify_status(request: HttpRequest) -> JsonResponse:
    """The waiting page's facts as JSON, for its optional script to refresh the delivery status."""
    current = _current_ticket(request)
    if current is None:
        return JsonResponse(VerificationNotFound().as_dict(), status=404)
    found, _flow = current
    state = verification_state(verification=found.verification, ticket=found)
    data = state_as_dict(state)
    data["resend_words"] = wait_words(state.resend_in) if state.resend_in else ""
    return JsonResponse(data)


@require_GET
def service_centre(request: HttpRequest) -> HttpResponse:
    """Offices where a number can be verified in person, nearest first to the governorate the person picks."""
    governorates = governorate_list()
    form = ServiceCentreForm(request.GET or None, governorates=governorates)
    chosen = form.cleaned_data["governorate"] if form.is_bound and form.is_valid() else ""
    context = {
        "form": form,
        "chosen": chosen,
        "centres": service_centres(governorate=chosen or None),
        "has_ticket": held_ticket(request.session) is not None,
    }
    return render(request, "accounts/signup/service_centre.html", context)
