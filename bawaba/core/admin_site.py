"""The admin site: Django's, open only to staff sessions that passed the staff sign-in with a second factor.

The staff sign-in (bawaba.accounts.staff, `/<lang>/staff/sign-in/`) asks for the password and then
always for a second factor (ASVS 6.3.3), with its own attempt limits. This site has no sign-in form
of its own: its login page sends people there. A session is let in when all of these hold:
- the account is active staff (Django's own rule);
- django-otp verified it (`user.is_verified()`: a device is recorded in the session);
- the staff sign-in opened it (`STAFF_SESSION_KEY` names the account), so a session opened by the
  citizens' sign-in, even with a second factor, never reaches the back office.
"""

from typing import Any
from urllib.parse import urlencode

from django.contrib import admin
from django.contrib.auth.signals import user_logged_in
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django_otp import DEVICE_ID_SESSION_KEY

STAFF_SESSION_KEY = "bawaba_staff_session"
# Set on the user object by the staff sign-in before it calls login(), like django-otp's `otp_device`.
STAFF_SIGN_IN_ATTRIBUTE = "bawaba_staff_sign_in"


def _remember_staff_sign_in(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    """Marks the new session as a staff session when the staff sign-in logs someone in.

    django-otp records `user.otp_device` in the session the same way (django_otp._handle_auth_login):
    whoever calls login() with a user carrying the attribute means it; nothing a request sends can set it.
    """
    if request is None or not getattr(user, STAFF_SIGN_IN_ATTRIBUTE, False):
        return
    device = getattr(user, "otp_device", None)
    if device is None or device.user_id != user.pk:
        return  # the staff sign-in always proves a second factor; without one this is no staff session
    request.session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    request.session[STAFF_SESSION_KEY] = str(user.pk)


user_logged_in.connect(_remember_staff_sign_in, dispatch_uid="bawaba_staff_sign_in")


def is_verified_staff_session(request: HttpRequest) -> bool:
    """An active staff account, verified by a second factor, in a session the staff sign-in opened."""
    user = request.user
    if not (user.is_authenticated and user.is_active and getattr(user, "is_staff", False)):
        return False
    if getattr(user, "deleted_at", None) is not None:
        return False
    is_verified = getattr(user, "is_verified", None)
    if not callable(is_verified) or not is_verified():
        return False
    return bool(request.session.get(STAFF_SESSION_KEY) == str(user.pk))


class BawabaAdminSite(admin.AdminSite):
    site_header = _("Bawaba administration")
    site_title = _("Bawaba administration")
    index_title = _("Catalogue and settings")

    def has_permission(self, request: HttpRequest) -> bool:
        return super().has_permission(request) and is_verified_staff_session(request)

    def login(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        """Sends everyone to the staff sign-in, keeping where they were going."""
        target = request.GET.get("next", "")
        allowed_hosts = {request.get_host()}
        if not url_has_allowed_host_and_scheme(target, allowed_hosts=allowed_hosts, require_https=request.is_secure()):
            target = ""
        url = reverse("accounts:staff_sign_in")
        return HttpResponseRedirect(f"{url}?{urlencode({'next': target})}" if target else url)
