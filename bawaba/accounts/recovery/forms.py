"""The forms of account recovery. They only read the input; the services judge it."""

from django import forms
from django.utils.translation import gettext_lazy as _

from bawaba.accounts.signup.forms import phone_field


class RecoveryStartForm(forms.Form):
    phone = phone_field()


class NewPasswordForm(forms.Form):
    password = forms.CharField(
        label=_("New password"),
        help_text=_("At least 8 characters. A few words you can remember is a good password."),
        max_length=4096,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}, render_value=False),
        error_messages={"required": _("Choose a new password.")},
    )
    second_factor_code = forms.CharField(
        label=_("Code from your authenticator app, or a recovery code"),
        help_text=_("Your account has two-step sign-in, so we need this code too."),
        max_length=64,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "dir": "ltr", "spellcheck": "false"}),
    )

    def __init__(self, *args: object, with_second_factor: bool, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        if not with_second_factor:
            del self.fields["second_factor_code"]
