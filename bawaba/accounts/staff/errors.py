"""Errors of the staff part of the accounts app. Codes are contract; messages never say whether an account exists."""

from django.utils.translation import gettext_lazy as _

from bawaba.core.errors import ApplicationError, PermissionDenied


class StaffSignInFailed(ApplicationError):
    """Unknown username, wrong password, or an account that is not staff: one answer for all (ASVS 6.3.8)."""

    code = "staff_sign_in_failed"
    status = 400
    default_message = _("Wrong username or password.")


class StaffSignInExpired(ApplicationError):
    """The steps after the password ended (took too long, or too many wrong codes): start again."""

    code = "staff_sign_in_expired"
    status = 400
    default_message = _("Please sign in again. The time for this step ran out.")


class RoleNotAllowed(PermissionDenied):
    """The granter may not grant (or revoke) this role, in this department, to this person."""

    code = "role_not_allowed"
    default_message = _("You may not give or take away this role.")


class SignUpNotFound(ApplicationError):
    """No sign-up is waiting for this number (none started, or it is already verified)."""

    code = "signup_not_found"
    status = 404
    default_message = _("No sign-up is waiting for this number. Check the number with the person.")
