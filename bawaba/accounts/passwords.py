"""Password rules (NIST SP 800-63B 3.1.1.2, ASVS 5.0 V6.2): long enough, not known from breaches, not the person.

No rules about kinds of characters (ASVS 6.2.5): a long phrase in any script is a good password. The
checks only look at a folded copy of the password; the password itself is stored exactly as typed (6.2.8).
"""

import gzip
import re
from functools import cache
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from bawaba.core.text import normalize_digits, normalize_text

MAXIMUM_LENGTH = 128
PASSWORD_LIST = Path(__file__).resolve().parent / "data" / "passwords.txt.gz"
# The shortest run of the person's phone number that a password may not contain.
PHONE_DIGITS_CHECKED = 7
# Any Iraqi mobile number, written 0770…, 770…, 964770…, +964770… or 00964770…: easy to guess from a phone book.
_IRAQI_MOBILE = re.compile(r"(?:\+?964|00964|0)?7[3-9]\d{8}")
_NUMBER_SEPARATORS = re.compile(r"[\s\-\.\(\)/]")


def password_list_key(password: str) -> str:
    """How a password is compared with the list: ASCII digits ("٢٠٢٤" is "2024"), lower case, no outer spaces."""
    return normalize_digits(password).strip().lower()


@cache
def _password_list() -> frozenset[str]:
    with gzip.open(PASSWORD_LIST, "rt", encoding="utf-8") as lines:
        return frozenset(line.rstrip("\n") for line in lines)


class MaximumLengthValidator:
    """Long passwords are welcome (ASVS 6.2.9 asks for 64 at least); the cap only stops absurd requests."""

    def validate(self, password: str, user: Any = None) -> None:
        if len(password) > MAXIMUM_LENGTH:
            raise ValidationError(
                _("This password is too long. Use at most %(maximum)d characters.") % {"maximum": MAXIMUM_LENGTH},
                code="password_too_long",
            )

    def get_help_text(self) -> str:
        return _("At most %(maximum)d characters.") % {"maximum": MAXIMUM_LENGTH}


class BreachedPasswordValidator:
    """Refuses passwords from the bundled list of common and breached passwords (bawaba/accounts/data/README.md),
    and any Iraqi mobile number, whoever's it is."""

    def validate(self, password: str, user: Any = None) -> None:
        key = password_list_key(password)
        if key in _password_list() or _IRAQI_MOBILE.fullmatch(_NUMBER_SEPARATORS.sub("", key)):
            raise ValidationError(
                _("Many people use this password, so it is easy to guess. Choose another one."),
                code="password_too_common",
            )

    def get_help_text(self) -> str:
        return _("Not a password many people use, such as 12345678 or a phone number.")


class PersonalInformationValidator:
    """Not the person's phone number (in any format, or its last 7 digits or more), not their name.

    `user` is any object with `phone` (E.164) and `full_name`: the account, or an unsaved one at sign-up.
    """

    def validate(self, password: str, user: Any = None) -> None:
        if user is None:
            return
        if _contains_phone_number(password, getattr(user, "phone", None) or ""):
            raise ValidationError(
                _("Do not use your phone number in your password. Choose something else."),
                code="password_is_phone_number",
            )
        if _is_made_of_name(password, getattr(user, "full_name", None) or ""):
            raise ValidationError(
                _("Do not use your name as your password. Choose something else."),
                code="password_is_name",
            )

    def get_help_text(self) -> str:
        return _("Not your name or your phone number.")


def _contains_phone_number(password: str, phone: str) -> bool:
    phone_digits = "".join(character for character in phone if character.isdigit())
    if len(phone_digits) < PHONE_DIGITS_CHECKED:
        return False
    # Separators are ignored, so "0770 123 4567" and "770-123-4567" are found like "07701234567".
    password_digits = _NUMBER_SEPARATORS.sub("", normalize_digits(password))
    return phone_digits[-PHONE_DIGITS_CHECKED:] in password_digits


def _is_made_of_name(password: str, full_name: str) -> bool:
    """The password's letters are the name, a part of it, or its parts run together ("Zainab1990", "ZainabAli!")."""
    letters = "".join(character for character in normalize_text(password) if character.isalpha())
    parts = normalize_text(full_name).split()
    if len(letters) < 3:
        return False
    # "Zainab Ali Hassan" forbids "zainab", "ali", "zainabali", "alihassan"...: any consecutive run of the parts.
    runs = {"".join(parts[start:end]) for start in range(len(parts)) for end in range(start + 1, len(parts) + 1)}
    return letters in runs
