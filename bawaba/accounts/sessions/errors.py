"""Errors of signed-in sessions, re-authentication and password changes. Codes are API contract."""

from django.utils.translation import gettext_lazy as _

from bawaba.core.errors import ApplicationError


class ReauthenticationFailed(ApplicationError):
    """The password (or the second factor's code) given to confirm it is you was not right."""

    code = "reauthentication_failed"
    status = 400
    default_message = _("The password or the code is not right. Try again.")


class NotAuthenticated(ApplicationError):
    code = "not_authenticated"
    status = 401
    default_message = _("Please sign in first.")


class CsrfFailed(ApplicationError):
    """A request signed in by the session cookie came without the matching CSRF token."""

    code = "csrf_failed"
    status = 403
    default_message = _("This request could not be checked. Reload the page and try again.")
