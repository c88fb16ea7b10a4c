"""Fill a template's ((placeholders)) with values, in the recipient's language."""

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass

from django.utils.translation import gettext as _

from bawaba.core.errors import ValidationFailed
from bawaba.notifications.models import MessageTemplate

PLACEHOLDER = re.compile(r"\(\(\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*\)\)")
LANGUAGES = ("ar", "ckb", "en")
# When a template has no text in the recipient's language, the next one that has text is used.
FALLBACK_ORDER = {"ar": ("ar", "en", "ckb"), "ckb": ("ckb", "ar", "en"), "en": ("en", "ar", "ckb")}
MAX_VALUE_LENGTH = 500


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


def render(template: MessageTemplate, values: Mapping[str, object], language: str) -> Rendered:
    """The text for `language` (or its fallback), or ValidationFailed naming what is missing."""
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
    missing = sorted(template_placeholders(template) - set(clean))
    if missing:
        raise ValidationFailed(
            _("The message cannot be written without: %(names)s.") % {"names": ", ".join(missing)},
            code="missing_values",
            fields={name: [_("This value is required by the template.")] for name in missing},
        )
    for candidate in FALLBACK_ORDER.get(language, FALLBACK_ORDER["ar"]):
        body = getattr(template, f"body_{candidate}") or ""
        if body.strip():
            subject = getattr(template, f"subject_{candidate}") or ""
            return Rendered(candidate, _fill(subject, clean), _fill(body, clean))
    raise ValidationFailed(_("This template has no text yet."), code="empty_template")
