"""The typed confirmation that stands between a person and the deletion of their account."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext

from bawaba.core.text import normalize_text

# The word in English is always accepted too: some phones have no keyboard for the page's language.
CONFIRMATION_WORD_EN = "delete"


def confirmation_word() -> str:
    return pgettext("the word a person types to confirm deleting their account", "delete")


class DeleteAccountForm(forms.Form):
    confirmation = forms.CharField(
        label="",  # names the word, so it is set per request in the page's language
        required=False,
        max_length=50,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "none", "spellcheck": "false"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["confirmation"].label = _("To confirm, type %(word)s") % {"word": confirmation_word()}

    def clean_confirmation(self) -> str:
        typed = normalize_text(self.cleaned_data["confirmation"])
        if typed not in {normalize_text(confirmation_word()), CONFIRMATION_WORD_EN}:
            raise forms.ValidationError(
                _("Type %(word)s exactly as shown to delete your account.") % {"word": confirmation_word()},
                code="confirmation",
            )
        return typed
