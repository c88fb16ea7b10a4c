"""Check and normalise who a message goes to, before anything is stored."""

from dataclasses import dataclass

import phonenumbers
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from bawaba.core.errors import ValidationFailed
from bawaba.core.text import normalize_digits
from bawaba.notifications.constants import PHONE_CHANNELS, Channel

# Iraqi mobile networks by the first digits of the national number (original allocation; a number
# moved to another network keeps its prefix, so this is a good guess, not a fact).
IRAQI_MOBILE_OPERATORS = {
    "75": "korek",
    "76": "omnnea",
    "77": "asiacell",
    "78": "zain",
    "79": "zain",
}
OPERATOR_NAMES = {"korek": "Korek Telecom", "omnnea": "Omnnea", "asiacell": "Asiacell", "zain": "Zain Iraq", "": "—"}


@dataclass(frozen=True)
class Recipient:
    address: str  # E.164 for SMS, voice and WhatsApp, a lower-cased address for e-mail
    operator: str = ""


def _invalid_phone() -> ValidationFailed:
    return ValidationFailed(
        _("This is not a mobile phone number we can send to."),
        code="invalid_phone",
        fields={"to": [_("Check the number.")]},
    )


def normalise_phone(raw: str, *, iraqi_mobile_only: bool = False) -> Recipient:
    """'0770 123 4567', '+964770…', '٠٧٧٠…' all give +9647701234567."""
    text = normalize_digits(str(raw or "")).strip()
    if not text or len(text) > 32:
        raise _invalid_phone()
    try:
        number = phonenumbers.parse(text, "IQ")
    except phonenumbers.NumberParseException as exc:
        raise _invalid_phone() from exc
    if not phonenumbers.is_valid_number(number):
        raise _invalid_phone()
    kind = phonenumbers.number_type(number)
    if kind not in (phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE):
        raise _invalid_phone()
    iraqi = number.country_code == 964
    if iraqi_mobile_only and not iraqi:
        raise ValidationFailed(
            _("Only Iraqi mobile numbers can be used here."),
            code="not_iraqi_mobile",
            fields={"to": [_("Use an Iraqi mobile number.")]},
        )
    national = str(number.national_number)
    operator = IRAQI_MOBILE_OPERATORS.get(national[:2], "") if iraqi else ""
    return Recipient(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164), operator)


def normalise_email(raw: str) -> Recipient:
    text = str(raw or "").strip()
    try:
        validate_email(text)
    except ValidationError as exc:
        raise ValidationFailed(
            _("This is not an e-mail address we can send to."),
            code="invalid_email",
            fields={"to": [_("Check the address.")]},
        ) from exc
    local, _sep, domain = text.rpartition("@")
    return Recipient(f"{local}@{domain.lower()}")


def normalise_recipient(channel: str, raw: str, *, iraqi_mobile_only: bool = False) -> Recipient:
    # An SMS, a voice call and a WhatsApp message all go to a mobile number, checked the same way.
    if channel in PHONE_CHANNELS:
        return normalise_phone(raw, iraqi_mobile_only=iraqi_mobile_only)
    if channel == Channel.EMAIL:
        return normalise_email(raw)
    text = str(raw or "").strip()
    if not text or len(text) > 320:
        raise ValidationFailed(
            _("There is no device to send this to."), code="invalid_recipient", fields={"to": [_("Required.")]}
        )
    return Recipient(text)
