"""Errors of the phone change. Codes are API contract."""

from django.utils.translation import gettext_lazy as _

from bawaba.core.errors import ApplicationError, ValidationFailed


class PhoneNumberTaken(ApplicationError):
    """Only ever raised to the person who just proved they hold the number, with its code."""

    code = "phone_number_taken"
    status = 409
    default_message = _(
        "This number is used by another account. Recover that account, or ask at a service centre for help."
    )


class PhoneUnchanged(ValidationFailed):
    code = "phone_unchanged"
    status = 400
    default_message = _("This is already your number. Enter the new number.")
