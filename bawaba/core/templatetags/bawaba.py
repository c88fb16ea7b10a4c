"""Template helpers for pages in three languages.

`{{ service|tr:"name" }}` shows a translated column in the reader's language; `{% lang_attrs service "name" %}`
marks it with lang/dir when it had to fall back to another language (WCAG 3.1.2), and `{{ 25000|number }}`
writes numbers the way the reader's language does (٢٥٬٠٠٠ in Arabic and Kurdish, 25,000 in English).
"""

import datetime
from typing import Any

from django import template
from django.urls import translate_url
from django.utils import formats
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import get_language_info, gettext, ngettext

from bawaba.core.i18n import CONTENT_LANGUAGES, FALLBACKS, current_language, localized

register = template.Library()

# Languages written with Arabic-Indic digits and separators, as CLDR has it for ar-IQ and ckb.
ARABIC_DIGIT_LANGUAGES = frozenset({"ar", "ckb"})
_ARABIC_DIGITS = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
ARABIC_THOUSANDS_SEPARATOR = "\u066c"  # ٬
ARABIC_DECIMAL_SEPARATOR = "\u066b"  # ٫
# Gregorian month names as Iraq writes them. Django's Arabic catalogue uses the Egyptian names
# (نوفمبر) and its Sorani one the Kurdish solar months (سەرماوەرز ≈ 22 Nov–21 Dec), which would
# misdate every page; both Iraqi Arabic and Kurdistan Region usage name the Gregorian months so.
MONTH_NAMES = {
    "ar": (
        "كانون الثاني", "شباط", "آذار", "نيسان", "أيار", "حزيران",
        "تموز", "آب", "أيلول", "تشرين الأول", "تشرين الثاني", "كانون الأول",
    ),
    "ckb": (
        "کانوونی دووەم", "شوبات", "ئازار", "نیسان", "ئایار", "حوزەیران",
        "تەممووز", "ئاب", "ئەیلوول", "تشرینی یەکەم", "تشرینی دووەم", "کانوونی یەکەم",
    ),
}  # fmt: skip


@register.filter(name="tr")
def tr(obj: Any, field: str) -> str:
    return localized(obj, field)


def content_language(obj: Any, field: str, language: str | None = None) -> str:
    """The language `localized` actually takes the text from (the reader's, or a fallback)."""
    for code in FALLBACKS.get(language or current_language(), CONTENT_LANGUAGES):
        if getattr(obj, f"{field}_{code}", ""):
            return code
    return language or current_language()


@register.simple_tag
def lang_attrs(obj: Any, field: str) -> SafeString:
    """` lang=".." dir=".."` when the text shown is not in the page's language, else nothing."""
    page_language = current_language()
    language = content_language(obj, field, page_language)
    if language == page_language:
        return SafeString("")
    direction = "rtl" if get_language_info(language)["bidi"] else "ltr"
    return format_html(' lang="{}" dir="{}"', language, direction)


@register.filter
def trh(obj: Any, field: str) -> SafeString:
    """The translated text, wrapped in a span with lang/dir when it fell back to another language."""
    text = localized(obj, field)
    attributes = lang_attrs(obj, field)
    if not attributes:
        return format_html("{}", text)
    return format_html("<span{}>{}</span>", attributes, text)


@register.simple_tag(takes_context=True)
def url_in_language(context: dict[str, Any], language: str, absolute: bool = False) -> str:
    """The current page in another language, keeping the query string (used by the language switcher).

    `absolute=True` gives a full address, as `<link rel="alternate" hreflang>` needs.
    """
    request = context["request"]
    path = translate_url(request.get_full_path(), language)
    return request.build_absolute_uri(path) if absolute else path


def localize_digits(text: str, language: str | None = None) -> str:
    """Write the ASCII digits of `text` as the language does."""
    if (language or current_language()) in ARABIC_DIGIT_LANGUAGES:
        return text.translate(_ARABIC_DIGITS)
    return text


def number_format(value: int | float, language: str | None = None, decimals: int = 0) -> str:
    """A number with grouped thousands in the language's digits: 25000 → ٢٥٬٠٠٠ (ar, ckb), 25,000 (en)."""
    language = language or current_language()
    text = f"{value:,.{decimals}f}"
    if language in ARABIC_DIGIT_LANGUAGES:
        # Swap through a placeholder so that "," and "." do not overwrite each other.
        text = text.replace(",", "\0").replace(".", ARABIC_DECIMAL_SEPARATOR).replace("\0", ARABIC_THOUSANDS_SEPARATOR)
    return localize_digits(text, language)


@register.filter(name="number")
def number(value: Any) -> str:
    if value is None or value == "":
        return ""
    try:
        return number_format(int(value))
    except (TypeError, ValueError):
        return str(value)


@register.filter(name="digits")
def digits(value: Any) -> str:
    """Any text (a count, a date already formatted) with its digits in the reader's script."""
    return localize_digits(str(value))


@register.filter(name="longdate")
def longdate(value: datetime.date | None) -> str:
    """A date as people write it in the reader's language: '3 March 2026', '٣ آذار ٢٠٢٦'."""
    if value is None:
        return ""
    months = MONTH_NAMES.get(current_language())
    if months is None:
        return formats.date_format(value, "j F Y")
    return localize_digits(f"{value.day} {months[value.month - 1]} {value.year}")


@register.filter(name="filesize")
def filesize(num_bytes: int | None) -> str:
    """A file size people can weigh before downloading: '2.4 MB', '٢٫٤ ميغابايت'.

    Uses the message ids of Django's own filesizeformat, so its catalogues already translate them.
    """
    size = int(num_bytes or 0)
    if size < 1024:
        return localize_digits(ngettext("%(size)d byte", "%(size)d bytes", size) % {"size": size})
    for unit in (gettext("%s KB"), gettext("%s MB"), gettext("%s GB")):
        scaled = size / 1024
        if scaled < 1024 or unit == gettext("%s GB"):
            break
        size //= 1024
    return unit % number_format(scaled, decimals=0 if scaled >= 10 else 1)


@register.filter(name="duration")
def duration(seconds: int | None) -> str:
    """A video's length: '1 min 20 s', in the reader's digits."""
    if not seconds:
        return ""
    minutes, rest = divmod(int(seconds), 60)
    if minutes and rest:
        text = gettext("%(minutes)s min %(seconds)s s") % {"minutes": minutes, "seconds": rest}
    elif minutes:
        text = gettext("%(minutes)s min") % {"minutes": minutes}
    else:
        text = gettext("%(seconds)s s") % {"seconds": rest}
    return localize_digits(text)
