"""Form pieces that several account pages share."""

from django import forms
from django.utils.translation import gettext_lazy as _

# A one-time code field: the phone may offer the code it just received, and nothing corrects or capitalises it.
ONE_TIME_CODE_ATTRIBUTES = {
    "autocomplete": "one-time-code",
    "inputmode": "numeric",
    "dir": "ltr",
    "spellcheck": "false",
    "autocapitalize": "off",
}


class SecondFactorCodeForm(forms.Form):
    """The second step of a sign-in (citizen or staff): the authenticator's code or a recovery code."""

    code = forms.CharField(
        label=_("Code"),
        max_length=40,
        widget=forms.TextInput(attrs=ONE_TIME_CODE_ATTRIBUTES),
        error_messages={"required": _("Enter the code.")},
    )
