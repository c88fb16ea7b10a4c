"""Images and videos of service guides: resized WebP copies for phones, and what templates need to show them.

An uploaded image is re-encoded once, at a few widths, as `<stem>.<hash>-<width>w.webp` next to the
upload; the record then points at the widest copy, and the smaller ones are found by the same name
pattern, so showing an image never asks the storage what exists. The original upload is deleted:
photos from phones weigh megabytes and carry EXIF data such as where they were taken.
"""

import hashlib
import io
import re
from dataclasses import dataclass
from pathlib import PurePosixPath

from django.core.files.base import ContentFile
from django.db.models.fields.files import FieldFile
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

from bawaba.catalog.constants import MediaKind
from bawaba.catalog.models import ServiceMedia
from bawaba.core.errors import ValidationFailed
from bawaba.core.i18n import CONTENT_LANGUAGES

# Widths a phone, a tablet and a desktop pick from through srcset; 1280 also bounds what is stored.
IMAGE_WIDTHS: tuple[int, ...] = (320, 480, 720, 960, 1280)
# A poster is fetched even when the video is not (browsers show it at once), so it stays small.
POSTER_WIDTHS: tuple[int, ...] = (480,)
WEBP_QUALITY = 72
# Largest image we agree to decode; a bigger one is more likely an attack than a photo.
MAX_PIXELS = 40_000_000
_VARIANT_NAME = re.compile(r"^(?P<base>.+)-(?P<width>\d+)w\.webp$")


@dataclass(frozen=True)
class ImageVariant:
    url: str
    width: int
    height: int


def service_media_process(*, media: ServiceMedia) -> ServiceMedia:
    """Make the WebP copies of a saved media record's image and poster, and check its captions.

    Idempotent: files already processed are left alone. Raises ValidationFailed, naming the field,
    for a file that is not an image or captions that are not WebVTT.
    """
    changed: list[str] = []
    if media.image and not is_processed(media.image):
        widest = _write_variants(media.image, IMAGE_WIDTHS, field_name="image")
        media.image.name = widest.name
        media.width, media.height = widest.width, widest.height
        if media.kind == MediaKind.IMAGE:
            media.size_bytes = widest.size
        changed += ["image", "width", "height", "size_bytes"]
    if media.poster and not is_processed(media.poster):
        widest = _write_variants(media.poster, POSTER_WIDTHS, field_name="poster")
        media.poster.name = widest.name
        changed.append("poster")
    for language in CONTENT_LANGUAGES:
        captions: FieldFile = getattr(media, f"captions_{language}")
        if captions:
            _check_webvtt(captions, field_name=f"captions_{language}")
    if media.video_file and not media.size_bytes:
        media.size_bytes = media.video_file.size
        changed.append("size_bytes")
    if changed:
        media.save(update_fields=sorted(set(changed)))
    return media


def is_processed(file: FieldFile) -> bool:
    return bool(_VARIANT_NAME.match(PurePosixPath(file.name or "").name))


def image_variants(media: ServiceMedia) -> list[ImageVariant]:
    """Every stored width of the media's image, narrowest first (only the image itself if unprocessed)."""
    if not media.image:
        return []
    width, height = media.width or 0, media.height or 0
    match = _VARIANT_NAME.match(media.image.name or "")
    if match is None or not width or not height:
        # Not processed yet (an upload the importer did not see): show it as it is, reading its size
        # from the file so that the page still reserves the right space.
        try:
            width, height = width or media.image.width, height or media.image.height
        except (OSError, ValueError):
            width, height = width or 0, height or 0
        return [ImageVariant(url=media.image.url, width=width, height=height)]
    storage, base = media.image.storage, match["base"]
    widths = [w for w in IMAGE_WIDTHS if w < width] + [width]
    return [
        ImageVariant(url=storage.url(f"{base}-{w}w.webp"), width=w, height=_scaled_height(width, height, w))
        for w in widths
    ]


@dataclass(frozen=True)
class _Written:
    name: str
    width: int
    height: int
    size: int


def _write_variants(file: FieldFile, widths: tuple[int, ...], *, field_name: str) -> _Written:
    """Write the WebP copies of one image file; return the widest. Deletes the original afterwards."""
    file.open("rb")
    try:
        content = file.read()
    finally:
        file.close()
    image = _decode(content, field_name=field_name)
    original_name = file.name or ""
    digest = hashlib.sha256(content).hexdigest()[:12]
    original = PurePosixPath(original_name)
    stem = re.sub(r"[^A-Za-z0-9_-]+", "-", original.stem).strip("-")[:60] or "image"
    base = str(original.parent / f"{stem}.{digest}")
    # Never enlarge: a small upload is stored once at its own width.
    targets = [w for w in widths if w < image.width] + [min(image.width, widths[-1])]
    storage = file.storage
    written: list[_Written] = []
    for target in targets:
        height = _scaled_height(image.width, image.height, target)
        name = f"{base}-{target}w.webp"
        if storage.exists(name):
            # The name carries a hash of the source, so an existing file already holds these pixels.
            size = storage.size(name)
        else:
            resized = image if target == image.width else image.resize((target, height), Image.Resampling.LANCZOS)
            buffer = io.BytesIO()
            resized.save(buffer, format="WEBP", quality=WEBP_QUALITY, method=6)
            saved = storage.save(name, ContentFile(buffer.getvalue()))
            if saved != name:  # the storage refused the name; keep the pattern intact or fail loudly
                storage.delete(saved)
                raise RuntimeError(f"storage renamed {name!r} to {saved!r}")
            size = buffer.tell()
        written.append(_Written(name=name, width=target, height=height, size=size))
    widest = written[-1]
    if original_name != widest.name:
        storage.delete(original_name)
    return widest


def _decode(content: bytes, *, field_name: str) -> Image.Image:
    try:
        with Image.open(io.BytesIO(content)) as opened:
            if opened.width * opened.height > MAX_PIXELS:
                raise ValidationFailed(fields={field_name: [str(_("This image is too large."))]})
            image = ImageOps.exif_transpose(opened)
            image.load()
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError):
        raise ValidationFailed(fields={field_name: [str(_("This file is not an image we can read."))]}) from None
    # WebP stores RGB or RGBA; palette and CMYK images are converted, transparency is kept.
    has_alpha = image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info)
    return image.convert("RGBA" if has_alpha else "RGB")


def _check_webvtt(captions: FieldFile, *, field_name: str) -> None:
    captions.open("rb")
    try:
        head = captions.read(16)
    finally:
        captions.close()
    # WebVTT files start with "WEBVTT", optionally after a byte-order mark (W3C WebVTT, section 4.1).
    if not head.removeprefix(b"\xef\xbb\xbf").startswith(b"WEBVTT"):
        raise ValidationFailed(fields={field_name: [str(_("Captions must be a WebVTT (.vtt) file."))]})


def _scaled_height(width: int, height: int, target: int) -> int:
    return max(1, round(height * target / width))
