"""The sign-in forms. The number is checked for its form here; whose it is, only by the service."""

from django import forms
from django.utils.translation import gettext_lazy as _

from bawaba.core.errors import ValidationFailed
from bawaba.notifications.recipients import normalise_phone

# Django's own limit for any field: a long paste is cut short before any hashing, never refused differently.
PASSWORD_FIELD_LIMIT = 4096


class SignInForm(forms.Form):
    phone = forms.CharField(
        label=_("Mobile number"),
        help_text=_("For example 0770 123 4567."),
        max_length=32,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel", "dir": "ltr"}),
        error_messages={"required": _("Enter your mobile number.")},
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        max_length=PASSWORD_FIELD_LIMIT,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": _("Enter your password.")},
    )
    next = forms.CharField(required=False, widget=forms.HiddenInput, max_length=2000)

    def clean_phone(self) -> str:
        value: str = self.cleaned_data["phone"]
        try:
            return normalise_phone(value).address
        except ValidationFailed as error:
            raise forms.ValidationError(
                _("Check the number. Write it like this: 0770 123 4567."), code="invalid_phone"
            ) from error
