"""Staff pages: the sign-in steps, and in-person verification of a number at a service centre."""

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from bawaba.accounts.errors import CodeInvalid, TooManyAttempts
from bawaba.accounts.forms import SecondFactorCodeForm
from bawaba.accounts.models import User
from bawaba.accounts.second_factor.services import (
    SecondFactorError,
    authenticator_enrolment_confirm,
    authenticator_enrolment_start,
    authenticator_get,
    recovery_code_format,
    recovery_codes_create,
    recovery_codes_left,
)
from bawaba.accounts.staff import selectors
from bawaba.accounts.staff.errors import SignUpNotFound, StaffSignInExpired, StaffSignInFailed
from bawaba.accounts.staff.forms import (
    InPersonConfirmForm,
    InPersonFindForm,
    StaffNewPasswordForm,
    StaffSignInForm,
)
from bawaba.accounts.staff.second_factor import (
    has_staff_authenticator,
    has_staff_second_factor,
    totp_qr_data_uri,
    totp_secret_for_display,
)
from bawaba.accounts.staff.services import (
    in_person_signup_find,
    offices_for_in_person,
    phone_verify_in_person,
    staff_password_change,
    staff_password_must_change,
)
from bawaba.accounts.staff.sign_in import (
    staff_code_attempt_count,
    staff_sign_in_code_check,
    staff_sign_in_device,
    staff_sign_in_finish,
    staff_sign_in_password_check,
    staff_sign_in_pending_get,
    staff_sign_in_pending_save,
    staff_sign_in_pending_start,
    staff_sign_in_wrong_code,
)
from bawaba.core.admin_site import is_verified_staff_session
from bawaba.core.errors import ApplicationError, PermissionDenied, ValidationFailed
from bawaba.core.ratelimit import RateLimited

AnyUser = AbstractBaseUser | AnonymousUser


def _safe_next(request: HttpRequest, candidate: str | None) -> str:
    """Where to go once signed in: `candidate` only if it stays on this site (ASVS 3.7.2), else the admin."""
    candidate = (candidate or "").strip()
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse("admin:index")


def _start_again(request: HttpRequest, error: ApplicationError) -> HttpResponse:
    messages.info(request, str(error.message))
    return redirect("accounts:staff_sign_in")


# Signing in


@never_cache
@sensitive_post_parameters("password")
@require_http_methods(["GET", "POST"])
def staff_sign_in(request: HttpRequest) -> HttpResponse:
    next_url = _safe_next(request, request.POST.get("next") or request.GET.get("next"))
    if request.method == "GET" and is_verified_staff_session(request):
        return redirect(next_url)
    form = StaffSignInForm(request.POST if request.method == "POST" else None, initial={"next": next_url})
    error: ApplicationError | None = None
    status = 200
    if form.is_bound:
        status = 400
        if form.is_valid():
            try:
                user = staff_sign_in_password_check(
                    request=request, username=form.cleaned_data["username"], password=form.cleaned_data["password"]
                )
            except (StaffSignInFailed, RateLimited) as failure:
                error, status = failure, failure.status
            else:
                staff_sign_in_pending_start(request, user=user, next_url=next_url)
                return _advance(request)
    return render(request, "accounts/staff/sign_in.html", {"form": form, "error": error}, status=status)


def _advance(request: HttpRequest) -> HttpResponse:
    """The next step of the pending sign-in, or the end of it: second factor, app set-up, new password."""
    try:
        user, pending = staff_sign_in_pending_get(request)
    except StaffSignInExpired as expired:
        return _start_again(request, expired)
    device = staff_sign_in_device(user, pending)
    if device is None:
        return redirect("accounts:staff_sign_in_code" if has_staff_second_factor(user) else "accounts:staff_set_up")
    if not has_staff_authenticator(user):
        return redirect("accounts:staff_set_up")  # signed in with a recovery code after losing the app
    if staff_password_must_change(user):
        return redirect("accounts:staff_new_password")
    next_url = _safe_next(request, pending.get("next"))
    staff_sign_in_finish(request, user=user, device=device)
    if recovery_codes_left(user=user) == 0:
        codes = recovery_codes_create(user=user, request=request)
        return _recovery_codes_page(request, codes=codes, continue_url=next_url)
    if pending.get("recovery_code_used"):
        messages.warning(
            request,
            _("You used a recovery code. You have %(count)d left.") % {"count": recovery_codes_left(user=user)},
        )
    return redirect(next_url)


def _recovery_codes_page(request: HttpRequest, *, codes: list[str], continue_url: str = "") -> HttpResponse:
    """Shown once: the codes are kept only hashed, so this page is the only time anyone sees them.
    With `continue_url` the person is signed in and goes on there; without, the sign-in goes on."""
    response = render(
        request,
        "accounts/staff/recovery_codes.html",
        {"codes": [recovery_code_format(code) for code in codes], "continue_url": continue_url},
    )
    response["Cache-Control"] = "no-store"
    return response


@never_cache
@require_http_methods(["GET", "POST"])
def staff_sign_in_code(request: HttpRequest) -> HttpResponse:
    try:
        user, pending = staff_sign_in_pending_get(request)
    except StaffSignInExpired as expired:
        return _start_again(request, expired)
    if staff_sign_in_device(user, pending) is not None or not has_staff_second_factor(user):
        return _advance(request)
    form = SecondFactorCodeForm(request.POST if request.method == "POST" else None)
    error: ApplicationError | None = None
    status = 200
    if form.is_bound:
        status = 400
        if form.is_valid():
            try:
                staff_sign_in_code_check(request=request, code=form.cleaned_data["code"])
            except StaffSignInExpired as expired:
                return _start_again(request, expired)
            except CodeInvalid as invalid:
                form.add_error("code", str(invalid.message))
            except (RateLimited, TooManyAttempts) as limited:
                error, status = limited, limited.status
            else:
                return _advance(request)
    return render(request, "accounts/staff/code.html", {"form": form, "error": error}, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
def staff_set_up(request: HttpRequest) -> HttpResponse:
    """First sign-in (or after a lost phone): set up the authenticator app before anything else."""
    try:
        user, pending = staff_sign_in_pending_get(request)
    except StaffSignInExpired as expired:
        return _start_again(request, expired)
    if has_staff_authenticator(user) or (staff_sign_in_device(user, pending) is None and has_staff_second_factor(user)):
        return _advance(request)  # nothing to set up, or recovery codes to give first
    form = SecondFactorCodeForm(request.POST if request.method == "POST" else None)
    error: ApplicationError | None = None
    status = 200
    if form.is_bound:
        status = 400
        enrolling = authenticator_get(user=user, confirmed=False)
        if enrolling is None or enrolling.pk != pending.get("enrol"):
            # Set-up was started again in another browser (or this page's key is gone): the code typed
            # here is for a key that no longer counts, so show the new one rather than confirm another's.
            messages.info(request, _("Setting up was started again. Scan the new picture."))
            return redirect("accounts:staff_set_up")
        if form.is_valid():
            try:
                staff_code_attempt_count(user=user)
                codes = authenticator_enrolment_confirm(user=user, token=form.cleaned_data["code"], request=request)
            except CodeInvalid as invalid:
                try:
                    staff_sign_in_wrong_code(request, user=user, pending=pending)
                except StaffSignInExpired as expired:
                    return _start_again(request, expired)
                form.add_error("code", str(invalid.message))
            except SecondFactorError as lost:
                return _start_again(request, lost)
            except RateLimited as limited:
                error, status = limited, limited.status
            else:
                device = authenticator_get(user=user, confirmed=True)
                assert device is not None  # noqa: S101 - just confirmed
                pending["device"] = device.persistent_id
                staff_sign_in_pending_save(request, pending)
                if codes:
                    return _recovery_codes_page(request, codes=codes)
                return _advance(request)
    device = authenticator_get(user=user, confirmed=False)
    if device is None or device.pk != pending.get("enrol"):
        # Every sign-in gets a key of its own: one left from an earlier, abandoned attempt (perhaps
        # someone else's with the same one-time password) is never shown or confirmed here.
        device = authenticator_enrolment_start(user=user)
        pending["enrol"] = device.pk
        staff_sign_in_pending_save(request, pending)
    context = {
        "form": form,
        "error": error,
        "qr": totp_qr_data_uri(device),
        "secret": totp_secret_for_display(device),
    }
    response = render(request, "accounts/staff/set_up.html", context, status=status)
    response["Cache-Control"] = "no-store"
    return response


@never_cache
@require_POST
def staff_continue(request: HttpRequest) -> HttpResponse:
    """After the recovery codes page: on to the next step."""
    return _advance(request)


@never_cache
@sensitive_post_parameters("new_password", "new_password_again")
@require_http_methods(["GET", "POST"])
def staff_new_password(request: HttpRequest) -> HttpResponse:
    """A password someone else set (a new account's first password) is replaced before the first session."""
    try:
        user, pending = staff_sign_in_pending_get(request)
    except StaffSignInExpired as expired:
        return _start_again(request, expired)
    if staff_sign_in_device(user, pending) is None or not staff_password_must_change(user):
        return _advance(request)
    form = StaffNewPasswordForm(request.POST if request.method == "POST" else None, user=user)
    if form.is_bound and form.is_valid():
        staff_password_change(user=user, password=form.cleaned_data["new_password"], request=request)
        return _advance(request)
    return render(request, "accounts/staff/new_password.html", {"form": form}, status=400 if form.is_bound else 200)


# Staff pages outside the admin


def staff_page(may: Callable[[AnyUser], bool]) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Only for a staff session that passed the staff sign-in (else to it), and only for whom `may` allows."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not is_verified_staff_session(request):
                query = urlencode({"next": request.get_full_path()})
                return redirect(f"{reverse('accounts:staff_sign_in')}?{query}")
            if not may(request.user):
                raise PermissionDenied()
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


@never_cache
@require_http_methods(["GET", "POST"])
@staff_page(selectors.may_verify_in_person)
def verify_in_person(request: HttpRequest) -> HttpResponse:
    """Find a waiting sign-up by its whole number, see the name, confirm the papers, mark it verified."""
    staff = request.user
    assert isinstance(staff, User)  # noqa: S101 - staff_page let a staff member in
    offices = offices_for_in_person(staff)
    posted = request.POST if request.method == "POST" else None
    step = str(request.POST.get("step", "find")) if posted is not None else "find"
    find_form = InPersonFindForm(posted if step == "find" else None)
    context: dict[str, Any] = {"find_form": find_form, "offices": offices}
    status = 200

    def find(phone: str) -> bool:
        """Look the sign-up up (logged for the citizen, limited per clerk); False with the error shown."""
        nonlocal status
        try:
            context["citizen"] = in_person_signup_find(staff=staff, phone=phone)
        except ValidationFailed as invalid:
            status = invalid.status
            for message in invalid.fields.get("phone", []):
                find_form.add_error("phone", message)
            if not invalid.fields.get("phone"):
                context["error"] = invalid
            return False
        except (SignUpNotFound, RateLimited) as failure:
            context["error"], status = failure, failure.status
            return False
        return True

    if posted is not None and step == "find":
        if not find_form.is_valid():
            status = 400
        elif find(find_form.cleaned_data["phone"]):
            phone = find_form.cleaned_data["phone"]
            context["confirm_form"] = InPersonConfirmForm(initial={"phone": phone}, offices=offices)
    elif posted is not None and step == "confirm":
        confirm_form = InPersonConfirmForm(posted, offices=offices)
        if confirm_form.is_valid():
            try:
                citizen = phone_verify_in_person(
                    staff=staff,
                    phone=confirm_form.cleaned_data["phone"],
                    document_type=confirm_form.cleaned_data["document_type"],
                    office=confirm_form.cleaned_data["office"],
                    full_name=confirm_form.cleaned_data["full_name"],
                    new_password=confirm_form.cleaned_data["new_password"],
                    request=request,
                )
            except ValidationFailed as invalid:
                status = invalid.status
                field_names = {"password": "new_password", "full_name": "full_name"}
                for name, problems in invalid.fields.items():
                    for problem in problems:
                        confirm_form.add_error(field_names.get(name), problem)
                if not invalid.fields:
                    context["error"] = invalid
                elif find(str(posted.get("phone", ""))):
                    context["confirm_form"] = confirm_form
            except SignUpNotFound as failure:
                context["error"], status = failure, failure.status
            else:
                messages.success(
                    request,
                    _(
                        "The number of %(name)s is verified. "
                        "They can now sign in with their number and the password they typed."
                    )
                    % {"name": citizen.full_name or citizen.phone},
                )
                return redirect("accounts:staff_verify_in_person")
        else:
            # Shown again for the clerk to compare with the papers: that is another look, so logged again.
            if find(str(posted.get("phone", ""))):
                context["confirm_form"] = confirm_form
            status = 400
    return render(request, "accounts/staff/verify_in_person.html", context, status=status)
