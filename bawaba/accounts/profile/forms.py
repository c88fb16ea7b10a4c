"""The profile form: parses what was typed; the rules themselves are in profile/services.py."""

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import get_language_info
from django.utils.translation import gettext_lazy as _

from bawaba.accounts.constants import Disability, Gender, PreferredChannel
from bawaba.accounts.models import User
from bawaba.accounts.profile.selectors import profile_for_user
from bawaba.accounts.profile.services import (
    DISTRICT_MAX_LENGTH,
    EARLIEST_BIRTH_YEAR,
    EMAIL_MAX_LENGTH,
    ProfileChanges,
    latest_birth_year,
)
from bawaba.accounts.signup.services import FULL_NAME_MAX_LENGTH
from bawaba.catalog.models import Governorate
from bawaba.core.i18n import current_language, localized
from bawaba.core.text import normalize_digits

NOT_SAYING = ("", _("I prefer not to say"))


class GovernorateChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return localized(obj, "name")


class ProfileForm(forms.Form):
    full_name = forms.CharField(
        label=_("Full name"),
        help_text=_("We use it when we write to you, and staff see it on what you send to a department."),
        required=False,  # an empty name gets the service's own message
        strip=False,
        widget=forms.TextInput(attrs={"autocomplete": "name", "maxlength": FULL_NAME_MAX_LENGTH}),
    )
    governorate = GovernorateChoiceField(
        label=_("Governorate"),
        help_text=_("Helps us show offices near you and see which governorates the portal reaches."),
        queryset=Governorate.objects.none(),
        required=False,
        empty_label=_("I prefer not to say"),
    )
    district = forms.CharField(
        label=_("District or area"),
        help_text=_("In your own words, at most 100 characters. Helps departments plan services near you."),
        required=False,
        strip=False,
        widget=forms.TextInput(attrs={"autocomplete": "address-level2", "maxlength": DISTRICT_MAX_LENGTH}),
    )
    gender = forms.ChoiceField(
        label=_("Gender"),
        help_text=_("Helps check that services reach women and men alike."),
        choices=[NOT_SAYING, *Gender.choices],
        required=False,
        widget=forms.RadioSelect,
    )
    birth_year = forms.CharField(
        label=_("Year of birth"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "bday-year", "inputmode": "numeric", "maxlength": 4}),
    )
    disability = forms.ChoiceField(
        label=_("Do you have difficulty doing any of these? Choose the one that affects you most."),
        help_text=_(
            "Helps find services that are hard to use with a difficulty, so they can be improved. "
            "These are the questions national surveys ask."
        ),
        choices=[NOT_SAYING, *Disability.choices],
        required=False,
        widget=forms.RadioSelect,
    )
    preferred_language = forms.ChoiceField(
        label=_("Language"),
        help_text=_("The language of the SMS messages we send you."),
        choices=[],
        required=False,
        widget=forms.RadioSelect,
    )
    preferred_channel = forms.ChoiceField(
        label=_("How should we contact you about your requests?"),
        help_text=_("Codes for signing in are always sent to your mobile number."),
        choices=[("", _("No preference")), *PreferredChannel.choices],
        required=False,
        widget=forms.RadioSelect,
    )
    email = forms.CharField(
        label=_("E-mail address"),
        help_text=_("Optional. We have not checked this address yet, so it is not used to sign in or to send codes."),
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "maxlength": EMAIL_MAX_LENGTH}),
    )
    statistics_consent = forms.BooleanField(
        label=_("Count these answers (never my name or number) in participation statistics"),
        help_text=_(
            "Statistics show only totals, such as how many people in a governorate took part. "
            "You can change your mind at any time."
        ),
        required=False,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        language = current_language()
        governorates: Any = self.fields["governorate"]
        governorates.queryset = Governorate.objects.order_by(f"name_{language}", "name_ar")
        # Each language is named in itself, so a person who cannot read this page still finds theirs.
        self.fields["preferred_language"].choices = [  # type: ignore[attr-defined]
            ("", _("No preference")),
            *((code, get_language_info(code)["name_local"]) for code, _name in settings.LANGUAGES),
        ]
        self.fields["birth_year"].help_text = _(
            "Only the year, as four digits, from %(earliest)d to %(latest)d. Helps check that services reach every age."
        ) % {"earliest": EARLIEST_BIRTH_YEAR, "latest": latest_birth_year()}

    def clean_birth_year(self) -> int | None:
        text = normalize_digits(self.cleaned_data["birth_year"]).strip()
        if not text:
            return None
        if not (text.isascii() and text.isdigit() and len(text) == 4):
            raise forms.ValidationError(_("Enter the year as four digits, like 1990."), code="invalid")
        return int(text)

    def changes(self) -> ProfileChanges:
        data = self.cleaned_data
        return ProfileChanges(
            full_name=data["full_name"],
            governorate=data["governorate"],
            district=data["district"],
            gender=data["gender"],
            birth_year=data["birth_year"],
            disability=data["disability"],
            preferred_language=data["preferred_language"],
            preferred_channel=data["preferred_channel"],
            email=data["email"],
            statistics_consent=data["statistics_consent"],
        )


def profile_initial(user: User) -> dict[str, Any]:
    """The form's values as stored, for the first view of the page."""
    profile = profile_for_user(user=user)
    initial: dict[str, Any] = {"full_name": user.full_name, "preferred_language": user.preferred_language}
    if profile is not None:
        initial.update(
            governorate=profile.governorate_id,
            district=profile.district,
            gender=profile.gender,
            birth_year=str(profile.birth_year) if profile.birth_year else "",
            disability=profile.disability,
            preferred_channel=profile.preferred_channel,
            email=profile.email,
            statistics_consent=profile.statistics_consent,
        )
    return initial
