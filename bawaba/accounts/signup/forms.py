"""The forms of sign-up and of the waiting page. They only read the input; the services judge it."""

from django import forms
from django.utils.translation import gettext_lazy as _

from bawaba.accounts.constants import CodeChannel
from bawaba.accounts.signup.services import FULL_NAME_MAX_LENGTH


class PhoneInput(forms.TextInput):
    input_type = "tel"


def phone_field() -> forms.CharField:
    return forms.CharField(
        label=_("Mobile number"),
        help_text=_("An Iraqi mobile number, for example 0770 123 4567. We will send a code to it."),
        max_length=32,
        widget=PhoneInput(attrs={"autocomplete": "tel", "inputmode": "tel", "dir": "ltr"}),
        error_messages={"required": _("Enter your mobile number.")},
    )


class SignupForm(forms.Form):
    phone = phone_field()
    full_name = forms.CharField(
        label=_("Full name"),
        help_text=_("Your name as on your national card."),
        # A little room over the limit, so the service (not the browser) says what is wrong with a long name.
        max_length=FULL_NAME_MAX_LENGTH + 50,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        error_messages={"required": _("Enter your full name.")},
    )
    password = forms.CharField(
        label=_("Password"),
        help_text=_("At least 8 characters. A few words you can remember is a good password."),
        max_length=4096,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}, render_value=False),
        error_messages={"required": _("Choose a password.")},
    )


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code from the SMS"),
        help_text=_("6 digits."),
        max_length=32,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "dir": "ltr", "spellcheck": "false"}
        ),
        error_messages={"required": _("Enter the code from the SMS.")},
    )


class ResendForm(forms.Form):
    channel = forms.ChoiceField(choices=CodeChannel.choices, required=False)


class ServiceCentreForm(forms.Form):
    governorate = forms.ChoiceField(label=_("Where do you live?"), required=False)

    def __init__(self, *args: object, governorates: list[tuple[str, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["governorate"].choices = [("", _("Choose your governorate")), *governorates]  # type: ignore[attr-defined]
