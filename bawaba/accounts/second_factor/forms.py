"""Forms of the security page."""

from django import forms
from django.utils.translation import gettext_lazy as _

from bawaba.accounts.forms import ONE_TIME_CODE_ATTRIBUTES


class AuthenticatorCodeForm(forms.Form):
    code = forms.CharField(
        label=_("The 6-digit code the app shows"),
        max_length=20,
        widget=forms.TextInput(attrs=ONE_TIME_CODE_ATTRIBUTES),
        error_messages={"required": _("Enter the code the app shows.")},
    )
