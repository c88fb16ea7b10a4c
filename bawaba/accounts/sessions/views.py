"""Pages of signed-in sessions: the list, ending sessions, confirming it is you, changing the password."""

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bawaba.accounts.second_factor.services import sms_code_send, sms_factor_get, user_has_second_factor
from bawaba.accounts.sessions import selectors, services
from bawaba.accounts.sessions.errors import ReauthenticationFailed
from bawaba.accounts.sessions.forms import (
    PasswordChangeForm,
    ReauthenticateForm,
    SessionEndForm,
    SignOutEverywhereForm,
)
from bawaba.accounts.sessions.password_change import password_change
from bawaba.accounts.sessions.reauth import reauthenticate, reauthentication_required, safe_next_url
from bawaba.core.errors import ApplicationError, NotFound, ValidationFailed
from bawaba.core.ratelimit import RateLimited


@login_required
def session_list(request: HttpRequest) -> HttpResponse:
    services.sessions_end_expired(user=request.user)  # type: ignore[arg-type]
    items = selectors.account_session_list_for_user(
        user=request.user,  # type: ignore[arg-type]
        current_id=selectors.current_account_session_id(request),
    )
    return render(
        request,
        "accounts/sessions/list.html",
        {"sessions": items, "others": [item for item in items if not item.is_current]},
    )


@require_POST
@login_required
def session_end(request: HttpRequest) -> HttpResponse:
    form = SessionEndForm(request.POST)
    if not form.is_valid():
        raise NotFound()
    ended = services.account_session_end_for_owner(user=request.user, handle=form.cleaned_data["session"])  # type: ignore[arg-type]
    if ended.pk == selectors.current_account_session_id(request):
        logout(request)
        return redirect(reverse("accounts:sessions_signed_out"))
    messages.success(request, _("That session has ended. Whoever used it must sign in again."))
    return redirect(reverse("accounts:sessions"))


@require_POST
@login_required
def sessions_sign_out_everywhere(request: HttpRequest) -> HttpResponse:
    form = SignOutEverywhereForm(request.POST)
    keep_current = form.is_valid() and form.cleaned_data["keep_this_device"]
    ended = services.sessions_sign_out_everywhere(user=request.user, request=request, keep_current=keep_current)  # type: ignore[arg-type]
    if not keep_current:
        logout(request)
        return redirect(f"{reverse('accounts:sessions_signed_out')}?everywhere=1")
    if ended:
        messages.success(request, _("You are signed out on every other device. This device stays signed in."))
    else:
        messages.success(request, _("You were not signed in on any other device."))
    return redirect(reverse("accounts:sessions"))


def sessions_signed_out(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/sessions/signed_out.html", {"everywhere": request.GET.get("everywhere") == "1"})


# The ticket of the SMS code sent for this confirmation, for people whose second factor is SMS codes.
REAUTH_SMS_TICKET = "bawaba_reauth_sms_ticket"


@login_required
def reauthenticate_page(request: HttpRequest) -> HttpResponse:
    user = request.user
    needs_code = user_has_second_factor(user)  # type: ignore[arg-type]
    uses_sms = needs_code and sms_factor_get(user=user) is not None  # type: ignore[arg-type]
    next_url = safe_next_url(
        request, request.POST.get("next") or request.GET.get("next"), default=reverse("accounts:home")
    )
    status = 200
    if request.method == "POST" and uses_sms and "send_sms" in request.POST:
        # Without this, a person whose only second factor is SMS could never confirm it is them.
        form = ReauthenticateForm(None, needs_code=needs_code)
        try:
            started = sms_code_send(user=user, request=request)  # type: ignore[arg-type]
        except ApplicationError as exc:
            messages.error(request, str(exc.message))
            status = exc.status
        else:
            request.session[REAUTH_SMS_TICKET] = started.ticket
            if started.code_sent:
                messages.success(request, _("We sent a code by SMS to your number. Type it below."))
            else:
                messages.info(request, _("A code was sent a moment ago. Use it, or ask again a little later."))
    else:
        form = ReauthenticateForm(request.POST or None, needs_code=needs_code)
    if request.method == "POST" and "send_sms" not in request.POST and form.is_valid():
        try:
            reauthenticate(
                request=request,
                user=user,  # type: ignore[arg-type]
                password=form.cleaned_data["password"],
                code=form.cleaned_data.get("code", ""),
                sms_ticket=request.session.get(REAUTH_SMS_TICKET) if uses_sms else None,
            )
        except ReauthenticationFailed as exc:
            form.add_error("password", str(exc.message))
        except RateLimited:
            form.add_error(None, _("Too many wrong tries. Wait 15 minutes, then try again."))
            status = 429
        else:
            request.session.pop(REAUTH_SMS_TICKET, None)
            return redirect(next_url)
    return render(
        request,
        "accounts/sessions/reauthenticate.html",
        {"form": form, "next_url": next_url, "needs_code": needs_code, "uses_sms": uses_sms},
        status=status,
    )


@reauthentication_required
def password_change_page(request: HttpRequest) -> HttpResponse:
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            password_change(request=request, user=request.user, new_password=form.cleaned_data["new_password"])  # type: ignore[arg-type]
        except ValidationFailed as exc:
            for message in exc.fields.get("new_password", [str(exc.message)]):
                form.add_error("new_password", message)
        else:
            return redirect(reverse("accounts:password_change_done"))
    return render(request, "accounts/sessions/password_change.html", {"form": form})


@login_required
def password_change_done(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/sessions/password_changed.html")
