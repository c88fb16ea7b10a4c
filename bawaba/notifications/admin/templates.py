"""Message templates in the admin: every edit kept by django-reversion, SMS length shown per language."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import admin, messages
from django.http import HttpRequest
from django.utils.html import format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from reversion.admin import VersionAdmin

from bawaba.notifications.constants import LENGTH_COUNTED_CHANNELS, Channel
from bawaba.notifications.forms import (
    ASSUMED_VALUE_LENGTHS,
    DEFAULT_VALUE_LENGTH,
    LANGUAGE_NAMES,
    PARTS_WARNING_ABOVE,
    LanguageLength,
    MessageTemplateForm,
    is_builtin,
    length_counted,
    template_sms_lengths,
)
from bawaba.notifications.models import MessageTemplate
from bawaba.notifications.rendering import LANGUAGES
from bawaba.notifications.sms import GSM7_BASIC, GSM7_EXTENSION

LANGUAGE_NOTES = {
    "ar": _("Required. Used for everyone whose language has no text."),
    "ckb": _("Sent to Kurdish readers; Arabic is sent where this is empty."),
    "en": _("Sent to English readers; Arabic is sent where this is empty."),
}


@admin.register(MessageTemplate)
class MessageTemplateAdmin(VersionAdmin):
    form = MessageTemplateForm
    list_display = ("name", "channel", "description", "sensitive", "sms_length", "updated_at")
    list_filter = ("channel", "sensitive")
    search_fields = ("name", "description")
    history_latest_first = True
    revision_form_template = "admin/notifications/messagetemplate/revision_form.html"
    fieldsets = [
        (None, {"fields": ["name", "channel", "description", "sensitive", "sender"]}),
        *[
            (LANGUAGE_NAMES[language], {"fields": [f"subject_{language}", f"body_{language}"]})
            for language in LANGUAGES
        ],
    ]

    class Media:
        css = {"all": ["notifications/admin.css"]}
        js = ["notifications/template_length.js"]

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        return [
            (title, {**options, "description": LANGUAGE_NOTES[language]})
            if (language := _fieldset_language(options)) is not None
            else (title, options)
            for title, options in self.fieldsets
        ]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        # Other code sends by a built-in template's name and relies on its channel; a built-in one-time
        # code must stay erased after sending, so nobody untick "contains a secret" on it by mistake.
        if obj is not None and is_builtin(obj):
            return ("name", "channel", "sensitive")
        return ()

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and is_builtin(obj):
            return False
        return super().has_delete_permission(request, obj)

    def render_change_form(self, request: HttpRequest, context: dict[str, Any], *args: Any, **kwargs: Any) -> Any:
        context.update(
            sms_rules={
                "assumed": sorted(ASSUMED_VALUE_LENGTHS.items()),
                "default_length": DEFAULT_VALUE_LENGTH,
                "parts_warning_above": PARTS_WARNING_ABOVE,
                "assumed_json": _json(dict(ASSUMED_VALUE_LENGTHS)),
                # The channels whose texts show their length, for the script that hides the figures.
                "channels_json": _json(sorted(LENGTH_COUNTED_CHANNELS)),
                # As JSON strings: an HTML attribute would turn a carriage return into a line feed.
                "gsm_basic": _json("".join(sorted(GSM7_BASIC))),
                "gsm_extension": _json("".join(sorted(GSM7_EXTENSION))),
            }
        )
        return super().render_change_form(request, context, *args, **kwargs)

    def save_model(self, request: HttpRequest, obj: MessageTemplate, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if obj.channel != Channel.SMS:
            return
        for figure in template_sms_lengths(obj):
            if figure.too_long:
                messages.warning(
                    request,
                    ngettext(
                        "The %(language)s text needs %(parts)s SMS part; each part is paid for.",
                        "The %(language)s text needs %(parts)s SMS parts; each part is paid for.",
                        figure.length.parts,
                    )
                    % {"language": figure.name, "parts": figure.length.parts},
                )

    @admin.display(description=_("SMS length"))
    def sms_length(self, obj: MessageTemplate) -> SafeString | str:
        figures = template_sms_lengths(obj) if length_counted(obj.channel) else []
        if not figures:
            return "—"
        return format_html_join(
            SafeString("<br>"),
            '<span class="sms-length-cell{}"><abbr title="{}">{}</abbr>: {}</span>',
            (
                (" sms-too-long" if figure.too_long else "", figure.name, figure.language, _summary(figure))
                for figure in figures
            ),
        )


def _summary(figure: LanguageLength) -> str:
    """One language's figures in a list cell: "1 part (UCS-2, 52 characters)"."""
    characters = ngettext("%(count)s character", "%(count)s characters", figure.length.units) % {
        "count": figure.length.units
    }
    parts = ngettext("%(count)s part", "%(count)s parts", figure.length.parts) % {"count": figure.length.parts}
    return f"{parts} ({figure.length.encoding}, {characters})"


def _fieldset_language(options: dict[str, Any]) -> str | None:
    field = options["fields"][-1]
    language = field.rsplit("_", 1)[-1]
    return language if field.startswith("body_") and language in LANGUAGES else None


def _json(value: object) -> str:
    return json.dumps(value, sort_keys=True)
