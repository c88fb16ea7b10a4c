""" "Forgot your password?": the number, the code (on the shared waiting page), then a new password."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from bawaba.accounts.errors import TooManyAttempts, VerificationNotFound
from bawaba.accounts.recovery.forms import NewPasswordForm, RecoveryStartForm
from bawaba.accounts.recovery.services import recovery_password_set, recovery_start, recovery_ticket_get
from bawaba.accounts.second_factor.services import user_has_second_factor
from bawaba.accounts.signin.services import sign_in_complete
from bawaba.accounts.signup.services import NextStep
from bawaba.accounts.signup.views import form_errors_from, start_rate_limit
from bawaba.accounts.verification.web import PREFILL_KEY, held_ticket, hold_ticket, release_ticket, wait_words
from bawaba.core.errors import ValidationFailed
from bawaba.core.i18n import current_language
from bawaba.core.ratelimit import RateLimited, client_address


@never_cache
@require_http_methods(["GET", "POST"])
def recover(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return render(request, "accounts/recovery/start.html", {"form": RecoveryStartForm()})
    form = RecoveryStartForm(request.POST)
    if form.is_valid():
        try:
            start_rate_limit(request)
            started = recovery_start(
                phone=form.cleaned_data["phone"], language=current_language(), client_address=client_address(request)
            )
        except (ValidationFailed, RateLimited) as error:
            form_errors_from(form, error)
        else:
            hold_ticket(request.session, ticket=started.ticket, flow="recovery")
            return redirect("accounts:verify")
    return render(request, "accounts/recovery/start.html", {"form": form}, status=400)


@never_cache
@sensitive_post_parameters("password", "second_factor_code")
@require_http_methods(["GET", "POST"])
def recover_password(request: HttpRequest) -> HttpResponse:
    """After the code: a new password (and the second factor, if the account has one); or, for a number with
    no account, the way to create one. Anyone who got here proved they hold the number."""
    held = held_ticket(request.session)
    if held is None:
        return redirect("accounts:recover")
    ticket, flow = held
    try:
        proved = recovery_ticket_get(ticket=ticket)
    except VerificationNotFound:
        release_ticket(request.session)
        messages.info(request, _("That took too long. Enter your number again and we will send a new code."))
        return redirect("accounts:signup" if flow == "signup" else "accounts:recover")
    if proved.next == NextStep.SIGN_UP or proved.user is None:
        release_ticket(request.session)
        request.session[PREFILL_KEY] = proved.ticket.verification.phone
        return render(request, "accounts/recovery/no_account.html")
    with_second_factor = user_has_second_factor(proved.user)
    context = {"from_signup": flow == "signup", "with_second_factor": with_second_factor}
    if request.method == "GET":
        form = NewPasswordForm(with_second_factor=with_second_factor)
        return render(request, "accounts/recovery/password.html", {**context, "form": form})
    form = NewPasswordForm(request.POST, with_second_factor=with_second_factor)
    if form.is_valid():
        try:
            user = recovery_password_set(
                ticket=ticket,
                password=form.cleaned_data["password"],
                second_factor_code=form.cleaned_data.get("second_factor_code", ""),
            )
        except VerificationNotFound:
            release_ticket(request.session)
            return redirect("accounts:recover")
        except TooManyAttempts as error:
            form.add_error(
                None,
                _("%(reason)s You can try again in %(wait)s.")
                % {"reason": error.message, "wait": wait_words(int(error.data.get("retry_after", 0)))},
            )
        except ValidationFailed as error:
            form_errors_from(form, error)
        else:
            release_ticket(request.session)
            sign_in_complete(request, user=user, with_second_factor=with_second_factor)
            messages.success(
                request, _("Your new password is set and you are signed in. Other devices were signed out.")
            )
            return redirect("accounts:home")
    return render(request, "accounts/recovery/password.html", {**context, "form": form}, status=400)
