"""Content in three languages lives in sibling columns (name_ar, name_ckb, name_en); these helpers pick one.

See docs/decisions/0002-translated-content-columns.md for why columns rather than a translation library.
"""

from typing import Any

from django.conf import settings
from django.utils.translation import get_language

CONTENT_LANGUAGES: tuple[str, ...] = ("ar", "ckb", "en")
# When a text is missing in the reader's language, show the one most of them can read next.
FALLBACKS: dict[str, tuple[str, ...]] = {
    "ar": ("ar", "en", "ckb"),
    "ckb": ("ckb", "ar", "en"),
    "en": ("en", "ar", "ckb"),
}


def current_language() -> str:
    language = (get_language() or settings.LANGUAGE_CODE).split("-")[0]
    return language if language in CONTENT_LANGUAGES else settings.LANGUAGE_CODE


def localized(obj: Any, field: str, language: str | None = None) -> str:
    """The value of `field` in `language` (default: the active one), falling back to another language."""
    for code in FALLBACKS.get(language or current_language(), CONTENT_LANGUAGES):
        value = getattr(obj, f"{field}_{code}", "")
        if value:
            return str(value)
    return ""


def localized_dict(obj: Any, field: str) -> dict[str, str]:
    return {code: getattr(obj, f"{field}_{code}", "") or "" for code in CONTENT_LANGUAGES}
