"""Forms of the security page."""

from django import forms
from django.utils.translation import gettext_lazy as _

CODE_ATTRIBUTES = {
    "autocomplete": "one-time-code",
    "inputmode": "numeric",
    "dir": "ltr",
    "spellcheck": "false",
    "autocapitalize": "off",
}


class AuthenticatorCodeForm(forms.Form):
    code = forms.CharField(
        label=_("The 6-digit code the app shows"),
        max_length=20,
        widget=forms.TextInput(attrs=CODE_ATTRIBUTES),
        error_messages={"required": _("Enter the code the app shows.")},
    )
