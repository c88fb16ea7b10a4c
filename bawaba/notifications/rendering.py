"""Fill a template's ((placeholders)) with values, in the recipient's language, for the channel it goes by.

For a voice call (decision 0013) a value named `code` is read one character at a time, written
"4, 8, 2, 9, 1, 3": Western digits, whatever the language, with a comma and a space between them so
that every text-to-speech engine pauses and none reads "482913" as a number in the hundreds of
thousands. The whole text is then said twice, a blank line between, as people often miss the start.
"""

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass

from django.utils.translation import gettext as _

from bawaba.core.errors import ValidationFailed
from bawaba.core.text import normalize_digits
from bawaba.notifications.constants import Channel
from bawaba.notifications.models import MessageTemplate

PLACEHOLDER = re.compile(r"\(\(\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*\)\)")
LANGUAGES = ("ar", "ckb", "en")
# When a template has no text in the recipient's language, the next one that has text is used.
FALLBACK_ORDER = {"ar": ("ar", "en", "ckb"), "ckb": ("ckb", "ar", "en"), "en": ("en", "ar", "ckb")}
MAX_VALUE_LENGTH = 500
# Values a voice call reads one character at a time, and what goes between the characters.
SPOKEN_ONE_BY_ONE = frozenset({"code"})
SPOKEN_SEPARATOR = ", "
# What goes between the text and its repetition in a voice call: a pause in every engine.
SPOKEN_REPEAT_SEPARATOR = "\n\n"


@dataclass(frozen=True)
class Rendered:
    language: str
    subject: str
    body: str


def _unsendable(character: str) -> bool:
    """Lone surrogates (no encoding can carry them) and control characters other than line breaks."""
    category = unicodedata.category(character)
    return category == "Cs" or (category == "Cc" and character not in "\n\r\t")


def placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text))


def template_placeholders(template: MessageTemplate) -> set[str]:
    names: set[str] = set()
    for language in LANGUAGES:
        names |= placeholders(getattr(template, f"body_{language}") or "")
        names |= placeholders(getattr(template, f"subject_{language}") or "")
    return names


def _fill(text: str, values: Mapping[str, str]) -> str:
    return PLACEHOLDER.sub(lambda match: values[match.group(1)], text)


def spoken_one_by_one(value: str) -> str:
    """'482913' → '4, 8, 2, 9, 1, 3'; Eastern Arabic digits become Western ones, spaces are dropped."""
    return SPOKEN_SEPARATOR.join(ch for ch in normalize_digits(value) if not ch.isspace())


def clean_values(values: Mapping[str, object]) -> dict[str, str]:
    """The values as text, or ValidationFailed for one that no channel could carry."""
    clean: dict[str, str] = {}
    for key, value in values.items():
        text = str(value)
        if any(_unsendable(ch) for ch in text):
            raise ValidationFailed(
                _("The value for “%(name)s” contains characters that cannot be sent.") % {"name": key},
                code="invalid_value",
                fields={key: [_("Remove control or broken characters.")]},
            )
        if len(text) > MAX_VALUE_LENGTH:
            raise ValidationFailed(
                _("The value for “%(name)s” is too long.") % {"name": key},
                code="value_too_long",
                fields={key: [_("Too long.")]},
            )
        clean[key] = text
    return clean


def render(
    template: MessageTemplate, values: Mapping[str, object], language: str, *, channel: str | None = None
) -> Rendered:
    """The text for `language` (or its fallback) as sent by `channel` (the template's own by default),
    or ValidationFailed naming what is missing."""
    clean = clean_values(values)
    missing = sorted(template_placeholders(template) - set(clean))
    if missing:
        raise ValidationFailed(
            _("The message cannot be written without: %(names)s.") % {"names": ", ".join(missing)},
            code="missing_values",
            fields={name: [_("This value is required by the template.")] for name in missing},
        )
    spoken = channel == Channel.VOICE
    if spoken:
        clean = {key: spoken_one_by_one(text) if key in SPOKEN_ONE_BY_ONE else text for key, text in clean.items()}
    for candidate in FALLBACK_ORDER.get(language, FALLBACK_ORDER["ar"]):
        body = getattr(template, f"body_{candidate}") or ""
        if body.strip():
            subject = getattr(template, f"subject_{candidate}") or ""
            text = _fill(body, clean)
            if spoken:
                text = f"{text.strip()}{SPOKEN_REPEAT_SEPARATOR}{text.strip()}"
            return Rendered(candidate, _fill(subject, clean), text)
    raise ValidationFailed(_("This template has no text yet."), code="empty_template")
