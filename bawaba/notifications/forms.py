"""The template editor's form: what an SMS will cost in each language, and the rules a template must keep.

A template's length depends on the values filled in, which nobody knows when editing; each ((value))
is counted at an assumed length (ASSUMED_VALUE_LENGTHS), the same on the server and in the browser.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django import forms
from django.utils.functional import Promise
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from bawaba.notifications.builtin_templates import BUILTIN
from bawaba.notifications.constants import LENGTH_COUNTED_CHANNELS, Channel
from bawaba.notifications.models import MessageTemplate
from bawaba.notifications.rendering import LANGUAGES, PLACEHOLDER, placeholders
from bawaba.notifications.sms import SmsLength, sms_length

# How many characters each ((value)) is counted as. Codes and numbers are short; names are long.
ASSUMED_VALUE_LENGTHS: dict[str, int] = {
    "code": 6,
    "minutes": 2,
    "name": 30,
    "full_name": 30,
    "tracking_code": 12,
    "reference": 12,
    "date": 10,
    "time": 5,
    "state": 20,
    "provider": 20,
    "department": 40,
    "service": 40,
    "link": 40,
    "url": 40,
}
DEFAULT_VALUE_LENGTH = 20
# Filler for a value: a GSM-7 character, so a value never changes the text's encoding by itself.
# (An Arabic name in an English text would; the page says values are counted as Latin letters or digits.)
VALUE_FILLER = "0"
# More parts than this costs more and may arrive out of order on older phones: the editor is warned.
PARTS_WARNING_ABOVE = 2

BUILTIN_NAMES = frozenset(entry["name"] for entry in BUILTIN)
BUILTIN_REQUIRED = {entry["name"]: set(entry.get("required", ())) for entry in BUILTIN}
RIGHT_TO_LEFT = frozenset({"ar", "ckb"})
LANGUAGE_NAMES: dict[str, Promise] = {"ar": _("Arabic"), "ckb": _("Kurdish (Sorani)"), "en": _("English")}
# "((" or "))" left over once every well-formed ((name)) is taken out means a value is written wrongly.
STRAY_BRACKETS = re.compile(r"\(\(|\)\)")


def length_counted(channel: str) -> bool:
    """Whether the template editor shows a text's SMS length for this channel."""
    return channel in LENGTH_COUNTED_CHANNELS


def assumed_length(name: str) -> int:
    return ASSUMED_VALUE_LENGTHS.get(name, DEFAULT_VALUE_LENGTH)


def estimated_sms_length(text: str) -> SmsLength:
    """The length of `text` once its ((values)) are filled with values of their assumed length."""
    return sms_length(PLACEHOLDER.sub(lambda match: VALUE_FILLER * assumed_length(match.group(1)), text))


def one_character_line_breaks(text: str) -> str:
    """Browsers post a line break as CR LF; in an SMS that is two characters where one does."""
    return text.replace("\r\n", "\n")


def is_builtin(template: MessageTemplate) -> bool:
    return template.pk is not None and template.name in BUILTIN_NAMES


def malformed_placeholders(text: str) -> bool:
    # Replaced by a character that is no bracket, so "(((code)))" (a value in parentheses) stays fine.
    return bool(STRAY_BRACKETS.search(PLACEHOLDER.sub("\ufffc", text)))


@dataclass(frozen=True)
class LanguageLength:
    language: str
    name: str
    length: SmsLength

    @property
    def too_long(self) -> bool:
        return self.length.parts > PARTS_WARNING_ABOVE


def sms_lengths(texts: dict[str, str]) -> list[LanguageLength]:
    """Estimated lengths of the languages that have text, in the portal's language order."""
    return [
        LanguageLength(language, str(LANGUAGE_NAMES[language]), estimated_sms_length(texts[language]))
        for language in LANGUAGES
        if (texts.get(language) or "").strip()
    ]


def template_sms_lengths(template: MessageTemplate) -> list[LanguageLength]:
    return sms_lengths({language: getattr(template, f"body_{language}") or "" for language in LANGUAGES})


def length_figures(field_id: str, text: str, *, shown: bool) -> SafeString:
    """The figures under a text box; static/notifications/template_length.js updates them while typing."""
    length = estimated_sms_length(text)
    return format_html(
        '<span class="sms-figures" data-sms-for="{}"{}>'
        '<span class="sms-figure">{} <strong data-figure="encoding">{}</strong></span> '
        '<span class="sms-figure">{} <strong data-figure="units">{}</strong></span> '
        '<span class="sms-figure">{} <strong data-figure="parts">{}</strong></span> '
        '<span class="sms-figure">{} <strong data-figure="remaining">{}</strong></span>'
        '<span class="sms-warning" data-figure="warning"{}>{}</span>'
        "</span>",
        field_id,
        "" if shown else SafeString(" hidden"),
        _("Encoding:"),
        length.encoding,
        _("Characters:"),
        length.units,
        _("SMS parts:"),
        length.parts,
        _("Room left in the last part:"),
        length.remaining,
        "" if length.parts > PARTS_WARNING_ABOVE else SafeString(" hidden"),
        _("More than %(parts)s parts: each part is paid for; consider a shorter text.")
        % {"parts": PARTS_WARNING_ABOVE},
    )


class MessageTemplateForm(forms.ModelForm):
    """Checks a template before it is saved; built-in names and channels are kept by the admin (read-only)."""

    class Meta:
        model = MessageTemplate
        fields = [
            "name",
            "channel",
            "description",
            "sensitive",
            "sender",
            *(f"{prefix}_{language}" for language in LANGUAGES for prefix in ("subject", "body")),
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for language in LANGUAGES:
            for prefix in ("subject", "body"):
                field = self.fields.get(f"{prefix}_{language}")
                if field is not None:
                    field.widget.attrs.update(lang=language, dir="rtl" if language in RIGHT_TO_LEFT else "ltr")
            body = self.fields.get(f"body_{language}")
            if body is not None:
                body.widget.attrs.update({"rows": 4, "data-sms-length": "true"})
                body.help_text = length_figures(
                    f"id_body_{language}", self._current_text(f"body_{language}"), shown=self._length_counted()
                )

    def _current_text(self, name: str) -> str:
        """What the editor sees in the box: what they posted, else what is saved."""
        if self.is_bound:
            return one_character_line_breaks(str(self.data.get(self.add_prefix(name), "") or ""))
        return str(self.initial.get(name, "") or "")

    def _length_counted(self) -> bool:
        """SMS and WhatsApp texts show their length; e-mail, push and voice (read out) do not."""
        # Not chosen yet (a new template) counts as SMS, the channel most templates are for.
        if "channel" not in self.fields:
            return length_counted(self.instance.channel)
        channel = self._current_text("channel") if self.is_bound else str(self.initial.get("channel") or "")
        return channel == "" or length_counted(channel)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for language in LANGUAGES:
            for prefix in ("subject", "body"):
                name = f"{prefix}_{language}"
                if isinstance(cleaned.get(name), str):
                    cleaned[name] = one_character_line_breaks(cleaned[name])
        channel = cleaned.get("channel", self.instance.channel)
        if is_builtin(self.instance):
            if "name" in cleaned and cleaned["name"] != self.instance.name:
                self.add_error("name", _("Other parts of the portal send by this name: it cannot change."))
            if "channel" in cleaned and cleaned["channel"] != self.instance.channel:
                self.add_error("channel", _("Other parts of the portal rely on this channel: it cannot change."))
        texts = {
            language: (str(cleaned.get(f"subject_{language}") or ""), str(cleaned.get(f"body_{language}") or ""))
            for language in LANGUAGES
        }
        if channel != Channel.EMAIL:
            for language, (subject, _body) in texts.items():
                if subject.strip():
                    self.add_error(f"subject_{language}", _("Only e-mails have a subject; leave this empty."))
        well_formed = True
        for language, (subject, body) in texts.items():
            for prefix, text in (("subject", subject), ("body", body)):
                if malformed_placeholders(text):
                    well_formed = False
                    self.add_error(
                        f"{prefix}_{language}",
                        _(
                            "A value is written wrongly. Write each value as ((name)): two brackets each side,"
                            " a name of Latin letters, digits and _, starting with a letter."
                        ),
                    )
        if well_formed:
            self._check_same_values(texts)
            self._check_required_values(texts)
        return cleaned

    def _check_required_values(self, texts: dict[str, tuple[str, str]]) -> None:
        """A built-in template keeps the values its code sends: a verification SMS without ((code)) is useless."""
        required = BUILTIN_REQUIRED.get(self.instance.name) if is_builtin(self.instance) else None
        for language, (subject, body) in texts.items():
            missing = sorted((required or set()) - placeholders(subject) - placeholders(body)) if body.strip() else []
            if missing:
                self.add_error(
                    f"body_{language}",
                    _("This text must keep %(values)s: the portal fills them in when it sends this message.")
                    % {"values": ", ".join(f"(({name}))" for name in missing)},
                )

    def _check_same_values(self, texts: dict[str, tuple[str, str]]) -> None:
        """Every language that has text uses the same ((values)): a missing code is a useless message."""
        used = {
            language: placeholders(subject) | placeholders(body)
            for language, (subject, body) in texts.items()
            if body.strip()
        }
        every = set().union(*used.values()) if used else set()
        for language, names in used.items():
            missing = sorted(every - names)
            if missing:
                self.add_error(
                    f"body_{language}",
                    _("The %(language)s text lacks %(values)s, which other languages use.")
                    % {
                        "language": LANGUAGE_NAMES[language],
                        "values": ", ".join(f"(({name}))" for name in missing),
                    },
                )
