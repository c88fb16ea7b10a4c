"""Forms of the staff sign-in and of in-person verification."""

from typing import Any

from django import forms
from django.contrib.auth.password_validation import validate_password
from django.utils.translation import gettext_lazy as _

from bawaba.accounts.models import User
from bawaba.accounts.staff.constants import IdentityDocument
from bawaba.catalog.models import Office

# Django's own limit for any field: a long paste is cut before any hashing, never refused differently.
PASSWORD_FIELD_LIMIT = 4096


class StaffSignInForm(forms.Form):
    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        widget=forms.TextInput(
            attrs={"autocomplete": "username", "dir": "ltr", "autocapitalize": "off", "spellcheck": "false"}
        ),
        error_messages={"required": _("Enter your username.")},
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        max_length=PASSWORD_FIELD_LIMIT,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": _("Enter your password.")},
    )
    next = forms.CharField(required=False, widget=forms.HiddenInput, max_length=2000)


class StaffNewPasswordForm(forms.Form):
    new_password = forms.CharField(
        label=_("New password"),
        strip=False,
        max_length=PASSWORD_FIELD_LIMIT,
        help_text=_(
            "At least 8 characters. A few words you remember are best. Do not use a password you use elsewhere."
        ),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": _("Enter a new password.")},
    )
    new_password_again = forms.CharField(
        label=_("New password again"),
        strip=False,
        max_length=PASSWORD_FIELD_LIMIT,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": _("Enter the new password again.")},
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_new_password(self) -> str:
        password: str = self.cleaned_data["new_password"]
        validate_password(password, user=self.user)
        if self.user.check_password(password):
            raise forms.ValidationError(_("Choose a password different from the one you were given."))
        return password

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        first, second = cleaned.get("new_password"), cleaned.get("new_password_again")
        if first and second is not None and first != second:
            self.add_error("new_password_again", _("The two passwords are not the same."))
        return cleaned


class InPersonFindForm(forms.Form):
    phone = forms.CharField(
        label=_("Mobile number of the person at the desk"),
        help_text=_("Type the whole number, for example 0770 123 4567."),
        max_length=32,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off", "inputmode": "tel", "dir": "ltr"}),
        error_messages={"required": _("Type the mobile number.")},
    )


class InPersonConfirmForm(forms.Form):
    phone = forms.CharField(widget=forms.HiddenInput, max_length=32)
    document_type = forms.ChoiceField(
        label=_("Identity document you saw"),
        choices=[("", _("Choose one")), *IdentityDocument.choices],
        error_messages={"required": _("Choose the document you saw.")},
    )
    document_seen = forms.BooleanField(
        label=_("I saw this document. The name and photo on it match the person at the desk."),
        error_messages={"required": _("Tick the box to confirm you saw the document.")},
    )
    office = forms.ModelChoiceField(
        label=_("Your office"),
        queryset=Office.objects.none(),
        empty_label=_("Choose your office"),
        error_messages={"required": _("Choose your office."), "invalid_choice": _("Choose your office from the list.")},
    )
    full_name = forms.CharField(
        label=_("Full name as written on the document"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        error_messages={"required": _("Type the name as written on the document.")},
    )
    new_password = forms.CharField(
        label=_("New password, typed by the person"),
        help_text=_(
            "Turn the screen to the person and let them type a password they will remember. "
            "Do not look. Any password given earlier stops working."
        ),
        strip=False,
        max_length=200,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": _("The person must choose a password.")},
    )

    def __init__(self, *args: Any, offices: list[Office], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["office"]
        assert isinstance(field, forms.ModelChoiceField)  # noqa: S101 - narrows the type for mypy
        field.queryset = Office.objects.filter(pk__in=[office.pk for office in offices]).order_by("name_ar")
