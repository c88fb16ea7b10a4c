"""Pages of the phone change: the new number, the wait for its code, and the end. Thin: forms, services, pages.

The ticket of the change in progress is kept in the (server-side) session, never in the page.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from bawaba.accounts.constants import CodeChannel
from bawaba.accounts.errors import CodeLimitReached, ResendNotYet, TooManyAttempts, VerificationNotFound
from bawaba.accounts.models import User, VerificationTicket
from bawaba.accounts.phone_change.errors import PhoneNumberTaken
from bawaba.accounts.phone_change.forms import CodeForm, NewPhoneForm, ResendForm
from bawaba.accounts.phone_change.services import (
    phone_change_resend,
    phone_change_start,
    phone_change_ticket_get,
    phone_change_verify,
)
from bawaba.accounts.sessions.reauth import is_recently_authenticated, reauthentication_required
from bawaba.accounts.verification.selectors import phone_masked, verification_state
from bawaba.accounts.verification.web import state_as_dict, wait_words
from bawaba.core.errors import ApplicationError, ValidationFailed
from bawaba.core.i18n import current_language
from bawaba.core.ratelimit import RateLimited, client_address

TICKET_KEY = "bawaba_phone_change"


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # noqa: S101 - the decorators let only signed-in people through
    return user


def _held_ticket(request: HttpRequest) -> VerificationTicket | None:
    """The usable phone change ticket this session holds for its own person; an ended one is forgotten."""
    ticket = request.session.get(TICKET_KEY)
    if not isinstance(ticket, str):
        return None
    try:
        return phone_change_ticket_get(ticket=ticket, user=_user(request))
    except VerificationNotFound:
        request.session.pop(TICKET_KEY, None)
        return None


def _form_errors_from(form: forms.Form, error: ApplicationError) -> None:
    placed = False
    for name, field_messages in error.fields.items():
        if name in form.fields:
            for message in field_messages:
                form.add_error(name, message)
                placed = True
    if not placed:
        form.add_error(None, str(error.message))


@never_cache
@reauthentication_required
@require_http_methods(["GET", "POST"])
def phone_change(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        if _held_ticket(request) is not None:
            return redirect("accounts:phone_change_verify")  # back to the wait, never a new start
        return render(request, "accounts/phone_change/start.html", {"form": NewPhoneForm()})
    form = NewPhoneForm(request.POST)
    if form.is_valid():
        try:
            started = phone_change_start(
                user=_user(request),
                phone=form.cleaned_data["phone"],
                client_address=client_address(request),
                language=current_language(),
            )
        except (ValidationFailed, RateLimited) as error:
            _form_errors_from(form, error)
        else:
            request.session[TICKET_KEY] = started.ticket
            return redirect("accounts:phone_change_verify")
    return render(request, "accounts/phone_change/start.html", {"form": form}, status=400)


def _verify_page(request: HttpRequest, found: VerificationTicket, form: CodeForm, *, status: int = 200) -> HttpResponse:
    state = verification_state(verification=found.verification, ticket=found)
    context = {
        "state": state,
        "form": form,
        "resend_words": wait_words(state.resend_in) if state.resend_in else "",
        "attempts_words": wait_words(state.attempts_wait) if state.attempts_wait else "",
        "expires_words": wait_words(state.code_expires_in) if state.code_expires_in else "",
        "other_channels": [name for name in state.alternatives if name in CodeChannel.values],
    }
    return render(request, "accounts/phone_change/verify.html", context, status=status)


def _start_again(request: HttpRequest) -> HttpResponse:
    messages.info(request, _("This number change has ended. Enter the new number again to continue."))
    return redirect("accounts:phone_change")


@never_cache
@sensitive_post_parameters("code")
@login_required
@require_http_methods(["GET", "POST"])
def phone_change_verify_page(request: HttpRequest) -> HttpResponse:
    found = _held_ticket(request)
    if found is None:
        return _start_again(request)
    if request.method == "GET":
        return _verify_page(request, found, CodeForm())
    if not is_recently_authenticated(request):
        # The change itself needs a recent password, even when the SMS took long; the wait is kept.
        query = urlencode({"next": reverse("accounts:phone_change_verify")})
        return redirect(f"{reverse('accounts:reauthenticate')}?{query}")
    form = CodeForm(request.POST)
    if not form.is_valid():
        return _verify_page(request, found, form, status=400)
    try:
        changed = phone_change_verify(
            user=_user(request),
            ticket=request.session[TICKET_KEY],
            code=form.cleaned_data["code"],
            keep_session_key=request.session.session_key,
        )
    except VerificationNotFound:
        request.session.pop(TICKET_KEY, None)
        return _start_again(request)
    except PhoneNumberTaken as error:
        request.session.pop(TICKET_KEY, None)
        return render(request, "accounts/phone_change/taken.html", {"error": error}, status=error.status)
    except ApplicationError as error:
        _form_errors_from(form, error)
        found.verification.refresh_from_db()
        return _verify_page(request, found, form, status=error.status)
    request.session.pop(TICKET_KEY, None)
    messages.success(
        request,
        _("Your mobile number is now %(number)s. We told your old number by SMS.")
        % {"number": phone_masked(changed.user.phone or "")},
    )
    return redirect("accounts:phone_change_done")


@never_cache
@login_required
@require_GET
def phone_change_status(request: HttpRequest) -> JsonResponse:
    """The waiting page's facts as JSON, for the verification pages' optional script (static/accounts/)."""
    found = _held_ticket(request)
    if found is None:
        return JsonResponse(VerificationNotFound().as_dict(), status=404)
    state = verification_state(verification=found.verification, ticket=found)
    data = state_as_dict(state)
    data["resend_words"] = wait_words(state.resend_in) if state.resend_in else ""
    return JsonResponse(data)


@require_POST
@login_required
def phone_change_resend_page(request: HttpRequest) -> HttpResponse:
    ticket = request.session.get(TICKET_KEY)
    if not isinstance(ticket, str):
        return _start_again(request)
    form = ResendForm(request.POST)
    channel = form.cleaned_data["channel"] if form.is_valid() and form.cleaned_data["channel"] else CodeChannel.SMS
    try:
        phone_change_resend(
            user=_user(request),
            ticket=ticket,
            channel=channel,
            client_address=client_address(request),
            language=current_language(),
        )
    except VerificationNotFound:
        request.session.pop(TICKET_KEY, None)
        return _start_again(request)
    except (ResendNotYet, CodeLimitReached, TooManyAttempts) as error:
        messages.error(
            request,
            _("%(reason)s You can ask again in %(wait)s.")
            % {"reason": error.message, "wait": wait_words(int(error.data.get("retry_after", 0)))},
        )
    except ValidationFailed as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("We sent a new code. Any code that has not expired will work."))
    return redirect("accounts:phone_change_verify")


@require_POST
@login_required
def phone_change_cancel(request: HttpRequest) -> HttpResponse:
    """ "Use another number": this browser forgets the change in progress (nothing else changes)."""
    request.session.pop(TICKET_KEY, None)
    return redirect("accounts:phone_change")


@login_required
def phone_change_done(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/phone_change/done.html")
