"""Changing the profile: the person's name, what they choose to tell about themselves, and their consent.

Every field but the name may be left empty. The rules live here, not in the form, so the API (later)
applies the same ones; the name follows sign-up's rule (`signup.services.full_name_clean`). The history
records which fields changed, never their values: the account's events are kept for audits long after
the profile itself is gone.
"""

import datetime as dt
import unicodedata
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from bawaba.accounts.constants import AccountEventKind, Disability, Gender, PreferredChannel
from bawaba.accounts.events import account_event_record
from bawaba.accounts.models import Profile, User
from bawaba.accounts.signup.services import full_name_clean
from bawaba.catalog.models import Governorate
from bawaba.core.errors import ValidationFailed

DISTRICT_MAX_LENGTH = 100
EMAIL_MAX_LENGTH = 254
EARLIEST_BIRTH_YEAR = 1900
# The youngest year accepted is this year minus 15: people who are 15 or turn 15 this year. Statistics
# count people in the age bands of national surveys, which start at 15 (docs/accounts.md, "Profile").
YOUNGEST_AGE = 15

# Control, surrogate, private-use and unassigned characters, and bidirectional overrides and isolates
# (which make text display as something else, CVE-2021-42574): never part of a district's name.
_REFUSED_CATEGORIES = frozenset({"Cc", "Cs", "Co", "Cn"})
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


@dataclass(frozen=True)
class ProfileChanges:
    """Everything the profile form sets. Empty strings and None mean "not told"."""

    full_name: str
    governorate: Governorate | None = None
    district: str = ""
    gender: str = ""
    birth_year: int | None = None
    disability: str = ""
    preferred_language: str = ""
    preferred_channel: str = ""
    email: str = ""
    statistics_consent: bool = False


def latest_birth_year(*, today: dt.date | None = None) -> int:
    return (today or timezone.localdate()).year - YOUNGEST_AGE


def _check(changes: ProfileChanges, *, today: dt.date) -> dict[str, Any]:
    """The values to store, or ValidationFailed naming every field that is wrong."""
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {}
    try:
        values["full_name"] = full_name_clean(changes.full_name)
    except ValidationFailed as failed:
        errors.update(failed.fields)

    district = " ".join(changes.district.split())
    if len(district) > DISTRICT_MAX_LENGTH:
        errors["district"] = [_("Use at most %(maximum)d characters.") % {"maximum": DISTRICT_MAX_LENGTH}]
    elif any(unicodedata.category(c) in _REFUSED_CATEGORIES or c in _BIDI_CONTROLS for c in district):
        errors["district"] = [_("Use only letters, numbers, spaces and punctuation.")]
    values["district"] = district

    latest = latest_birth_year(today=today)
    if changes.birth_year is not None and not EARLIEST_BIRTH_YEAR <= changes.birth_year <= latest:
        errors["birth_year"] = [
            _("Enter a year between %(earliest)d and %(latest)d.") % {"earliest": EARLIEST_BIRTH_YEAR, "latest": latest}
        ]
    values["birth_year"] = changes.birth_year

    for field, allowed in (
        ("gender", Gender.values),
        ("disability", Disability.values),
        ("preferred_channel", PreferredChannel.values),
        ("preferred_language", [code for code, _name in settings.LANGUAGES]),
    ):
        value = getattr(changes, field)
        if value and value not in allowed:
            errors[field] = [_("Choose one of the options.")]
        values[field] = value

    email = changes.email.strip()
    if email:
        try:
            if len(email) > EMAIL_MAX_LENGTH:
                raise ValidationError("too long")
            validate_email(email)
        except ValidationError:
            errors["email"] = [_("Enter an e-mail address like name@example.com, or leave it empty.")]
    values["email"] = email
    if changes.preferred_channel == PreferredChannel.EMAIL and not email and "email" not in errors:
        errors["preferred_channel"] = [_("Add your e-mail address below, or choose another way to reach you.")]

    values["governorate"] = changes.governorate
    values["statistics_consent"] = changes.statistics_consent
    if errors:
        raise ValidationFailed(_("Some answers need to be corrected."), fields=errors)
    return values


def profile_update(
    *, user: User, changes: ProfileChanges, request: HttpRequest | None = None, now: dt.datetime | None = None
) -> list[str]:
    """Apply `changes` to the person's name and profile (created on first save). Returns the changed fields' names.

    Consent to statistics is timestamped when given and the time cleared when withdrawn (the record of
    when is the account's history). A new e-mail address is unverified until proved.
    """
    now = now or timezone.now()
    values = _check(changes, today=timezone.localdate(now))
    changed: list[str] = []
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        profile = Profile.objects.select_for_update().filter(user=locked).first() or Profile(user=locked)

        user_fields = []
        for field in ("full_name", "preferred_language"):
            if getattr(locked, field) != values[field]:
                setattr(locked, field, values[field])
                user_fields.append(field)

        profile_fields = []
        for field in ("governorate", "district", "gender", "birth_year", "disability", "preferred_channel", "email"):
            if getattr(profile, field) != values[field]:
                setattr(profile, field, values[field])
                profile_fields.append(field)
        if "email" in profile_fields:
            profile.email_verified_at = None
        if values["statistics_consent"] != profile.statistics_consent:
            profile.statistics_consent = values["statistics_consent"]
            profile.statistics_consent_at = now if values["statistics_consent"] else None
            profile_fields.append("statistics_consent")

        if user_fields:
            locked.save(update_fields=user_fields)
            for field in user_fields:
                setattr(user, field, getattr(locked, field))
        if profile_fields or profile._state.adding:
            profile.save()
        changed = user_fields + profile_fields
        if changed:
            account_event_record(user=locked, kind=AccountEventKind.PROFILE_CHANGED, request=request, fields=changed)
    return changed
