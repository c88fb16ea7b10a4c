"""Reads for the account's home page and the profile form."""

from dataclasses import dataclass

import phonenumbers

from bawaba.accounts.models import Profile, User


def profile_for_user(*, user: User) -> Profile | None:
    """The person's profile, or None until they first save the form."""
    return Profile.objects.select_related("governorate").filter(user=user).first()


def phone_masked(phone: str | None) -> str:
    """ "+9647701234567" → "+964 770 ••• ••67": enough to recognise one's own number on a shared screen."""
    if not phone:
        return ""
    try:
        number = phonenumbers.parse(phone, None)
    except phonenumbers.NumberParseException:
        return "•" * 6
    national = str(number.national_number)
    if len(national) < 6:
        return f"+{number.country_code} " + "•" * len(national)
    hidden = "•" * (len(national) - 5)
    masked = hidden[:3] + " " + hidden[3:] if len(hidden) > 3 else hidden
    return f"+{number.country_code} {national[:3]} {masked}{national[-2:]}"


@dataclass(frozen=True)
class AccountSummary:
    full_name: str
    phone_masked: str
    phone_ending: str  # the last two digits, for screen readers (the dots are read one by one)
    is_phone_verified: bool
    has_profile: bool
    statistics_consent: bool


def account_summary(*, user: User) -> AccountSummary:
    profile = profile_for_user(user=user)
    return AccountSummary(
        full_name=user.full_name,
        phone_masked=phone_masked(user.phone),
        phone_ending=(user.phone or "")[-2:],
        is_phone_verified=user.is_phone_verified,
        has_profile=profile is not None,
        statistics_consent=bool(profile and profile.statistics_consent),
    )
