"""Template helpers: `{{ service|tr:"name" }}` shows a translated column in the reader's language."""

from typing import Any

from django import template
from django.urls import translate_url

from bawaba.core.i18n import localized

register = template.Library()


@register.filter(name="tr")
def tr(obj: Any, field: str) -> str:
    return localized(obj, field)


@register.simple_tag(takes_context=True)
def url_in_language(context: dict[str, Any], language: str) -> str:
    """The current page in another language, keeping the query string (used by the language switcher)."""
    request = context["request"]
    url = translate_url(request.get_full_path(), language)
    return url


@register.filter
def filesize(num_bytes: int | None) -> str:
    from django.template.defaultfilters import filesizeformat

    return str(filesizeformat(num_bytes or 0))
