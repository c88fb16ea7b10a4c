"""Template helpers for service guide pages: responsive images, channel names, links to maps."""

from decimal import Decimal
from typing import Any

from django import template
from django.utils.http import urlencode
from django.utils.translation import get_language_info

from bawaba.catalog.constants import Channel
from bawaba.catalog.media import image_variants
from bawaba.catalog.models import Office, ServiceMedia
from bawaba.core.i18n import CONTENT_LANGUAGES, FALLBACKS, current_language

register = template.Library()

# Street level: close enough to find the building, wide enough to see the neighbourhood.
MAP_ZOOM = 17


@register.filter
def srcset(media: ServiceMedia) -> str:
    """The `srcset` of a media record's image: every stored width."""
    return ", ".join(f"{variant.url} {variant.width}w" for variant in image_variants(media))


@register.filter
def default_image(media: ServiceMedia) -> dict[str, Any]:
    """The `src`, `width` and `height` for browsers that ignore srcset: a phone-sized copy."""
    variants = image_variants(media)
    if not variants:
        return {}
    # The widest copy at most 720 px wide: sharp on a phone, not wasteful on a desktop.
    chosen = [variant for variant in variants if variant.width <= 720] or variants[:1]
    variant = chosen[-1]
    return {"url": variant.url, "width": variant.width, "height": variant.height}


@register.filter
def channel_labels(channels: list[str] | None) -> list[str]:
    """Where a service can be used, in words, in the order the catalogue lists channels."""
    chosen = set(channels or [])
    return [str(label) for value, label in Channel.choices if value in chosen]


def _coordinates(office: Office) -> tuple[str, str] | None:
    if office.latitude is None or office.longitude is None:
        return None
    # Six decimals locate a door; normalise() drops trailing zeros the database adds.
    return (
        format(Decimal(office.latitude).normalize(), "f"),
        format(Decimal(office.longitude).normalize(), "f"),
    )


@register.filter
def geo_uri(office: Office) -> str:
    """A geo: URI (RFC 5870): phones open it in whatever map application the person has."""
    coordinates = _coordinates(office)
    return f"geo:{coordinates[0]},{coordinates[1]}" if coordinates else ""


@register.filter
def osm_url(office: Office) -> str:
    """The office on OpenStreetMap, for computers and phones without a map application."""
    coordinates = _coordinates(office)
    if coordinates is None:
        return ""
    latitude, longitude = coordinates
    query = urlencode({"mlat": latitude, "mlon": longitude})
    return f"https://www.openstreetmap.org/?{query}#map={MAP_ZOOM}/{latitude}/{longitude}"


@register.filter
def caption_tracks(media: ServiceMedia) -> list[dict[str, Any]]:
    """The WebVTT files of a video, each named in its own language; the reader's language is on by default.

    The demo videos are silent, so captions carry everything: one track is always on, the reader's
    language if there is one, else the one they are most likely to read (FALLBACKS order).
    """
    files = {code: getattr(media, f"captions_{code}") for code in CONTENT_LANGUAGES}
    available = [code for code in CONTENT_LANGUAGES if files[code]]
    default = next((code for code in FALLBACKS[current_language()] if code in available), None)
    return [
        {
            "url": files[code].url,
            "language": code,
            "label": get_language_info(code)["name_local"],
            "is_default": code == default,
        }
        for code in available
    ]
