"""Errors of the accounts app. Codes are part of the API contract: clients branch on them."""

from django.utils.translation import gettext_lazy as _

from bawaba.core.errors import ApplicationError


class CodeInvalid(ApplicationError):
    code = "code_invalid"
    status = 400
    default_message = _("That code is not right. Check the latest SMS and try again.")


class CodeExpired(ApplicationError):
    code = "code_expired"
    status = 400
    default_message = _("That code has expired. Ask for a new one.")


class TooManyAttempts(ApplicationError):
    """Wrong codes: a wait before the next try (`data["retry_after"]`, seconds), or the hard stop."""

    code = "too_many_attempts"
    status = 429
    default_message = _("Too many wrong codes. Please wait before trying again.")


class ResendNotYet(ApplicationError):
    code = "resend_not_yet"
    status = 429
    default_message = _("A new code can be sent a little later.")


class CodeLimitReached(ApplicationError):
    """The hourly or daily cap on codes to this number (or from this address) is reached."""

    code = "code_limit_reached"
    status = 429
    default_message = _("No more codes can be sent to this number for now.")


class VerificationNotFound(ApplicationError):
    """The ticket is unknown, expired or already used: the client should start again (which resumes)."""

    code = "verification_not_found"
    status = 404
    default_message = _("This verification has ended. Enter your number again to continue.")


class ReauthenticationRequired(ApplicationError):
    code = "reauthentication_required"
    status = 403
    default_message = _("Please confirm it is you before making this change.")
