"""Errors of signing in. Codes are API contract; messages never say whether a number has an account."""

from django.utils.translation import gettext_lazy as _

from bawaba.accounts.errors import TooManyAttempts
from bawaba.core.errors import ApplicationError


class SignInFailed(ApplicationError):
    """Unknown number, wrong password or an unfinished sign-up: one answer for all three (ASVS 6.3.8).

    `data["retry_after"]`: seconds before the next try, when this failure started a wait."""

    code = "sign_in_failed"
    status = 400
    default_message = _("Wrong number or password.")


class SignInThrottled(TooManyAttempts):
    """Too many failures for this number, this browser or this address: `data["retry_after"]` seconds."""

    default_message = _("Too many tries. Please wait, then try again.")


class SecondFactorRequired(ApplicationError):
    """A flow tried to sign in a person who has a second factor without checking it."""

    code = "second_factor_required"
    status = 403
    default_message = _("Enter the code from your authenticator app or a recovery code.")


class SignInExpired(ApplicationError):
    """The step after the password ended (took too long, or too many wrong codes): start again."""

    code = "sign_in_expired"
    status = 400
    default_message = _("Please sign in again. The time to enter the code ran out.")
