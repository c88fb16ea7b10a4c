"""Forms of the phone change pages. They only read the input; the services judge it."""

from django import forms
from django.utils.translation import gettext_lazy as _

from bawaba.accounts.constants import CodeChannel


class PhoneInput(forms.TextInput):
    input_type = "tel"


class CodeInput(forms.TextInput):
    """A one-time code is never written back into the page."""

    def format_value(self, value: object) -> str | None:
        return None


class NewPhoneForm(forms.Form):
    phone = forms.CharField(
        label=_("Your new mobile number"),
        help_text=_("An Iraqi mobile number, for example 0770 123 4567. We will send a code to it."),
        max_length=32,
        widget=PhoneInput(attrs={"autocomplete": "tel", "inputmode": "tel", "dir": "ltr"}),
        error_messages={"required": _("Enter your new mobile number.")},
    )


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code from the SMS"),
        help_text=_("6 digits, sent to your new number."),
        max_length=32,
        widget=CodeInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "dir": "ltr", "spellcheck": "false"}
        ),
        error_messages={"required": _("Enter the code from the SMS.")},
    )


class ResendForm(forms.Form):
    channel = forms.ChoiceField(choices=CodeChannel.choices, required=False)
