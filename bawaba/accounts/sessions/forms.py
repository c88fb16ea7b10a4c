"""Forms of the sessions pages. They only parse; the services decide."""

from django import forms
from django.utils.translation import gettext_lazy as _


class CodeInput(forms.TextInput):
    """A one-time code is never written back into the page: after a wrong one, the box is empty again."""

    def format_value(self, value: object) -> str | None:
        return None


class ReauthenticateForm(forms.Form):
    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        max_length=200,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    code = forms.CharField(
        label=_("Your code: from your authenticator app, by SMS, or a recovery code"),
        help_text=_("Open the app on your phone and type the 6 digits it shows now."),
        required=False,
        max_length=32,
        widget=CodeInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "spellcheck": "false"}),
    )

    def __init__(self, *args: object, needs_code: bool, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        if needs_code:
            self.fields["code"].required = True
        else:
            del self.fields["code"]


class PasswordChangeForm(forms.Form):
    new_password = forms.CharField(
        label=_("New password"),
        help_text=_("At least 8 characters. A few words you can remember are best. Do not use your phone number."),
        strip=False,
        max_length=200,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    new_password_again = forms.CharField(
        label=_("New password again"),
        strip=False,
        max_length=200,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self) -> dict[str, object]:
        cleaned = super().clean() or {}
        first, second = cleaned.get("new_password"), cleaned.get("new_password_again")
        if first and second and first != second:
            self.add_error("new_password_again", _("The two passwords are not the same. Type them again."))
        return cleaned


class SessionEndForm(forms.Form):
    session = forms.CharField(max_length=64)


class SignOutEverywhereForm(forms.Form):
    keep_this_device = forms.BooleanField(required=False)
