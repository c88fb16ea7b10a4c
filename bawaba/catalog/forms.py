"""Forms for the few things a visitor submits on catalogue pages."""

from django import forms
from django.utils.translation import gettext_lazy as _

from bawaba.catalog.constants import FeedbackReason
from bawaba.catalog.services import FEEDBACK_COMMENT_MAX_LENGTH


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search services"), max_length=200, required=False)


class FeedbackForm(forms.Form):
    is_helpful = forms.TypedChoiceField(
        label=_("Was this page helpful?"),
        choices=[("yes", _("Yes")), ("no", _("No"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    reason = forms.ChoiceField(
        label=_("Why?"), choices=[("", _("Choose a reason (optional)")), *FeedbackReason.choices], required=False
    )
    comment = forms.CharField(
        label=_("Anything else? (optional, do not write personal details)"),
        max_length=FEEDBACK_COMMENT_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
