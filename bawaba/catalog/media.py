"""Images and videos of service guides: what may be stored, resized WebP copies for phones, and what
templates need to show them.

Media files are served from the portal's own origin, so a file that a browser would take for a page
(`evil.html`, or captions carrying a `<script>`) would be stored cross-site scripting. Every file is
therefore checked by its bytes (`media_file_check`) before it is stored, whether it comes from the
admin or the importer, and stored under a name the server chooses, with the extension of what it
is: images JPEG, PNG or WebP that Pillow decodes, videos MP4 or WebM, captions WebVTT without HTML.

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
from typing import IO, TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db.models.fields.files import FieldFile
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps

from bawaba.catalog.constants import MediaKind
from bawaba.core.errors import ValidationFailed
from bawaba.core.i18n import CONTENT_LANGUAGES

if TYPE_CHECKING:
    # Not at run time: the model's field validators are defined here.
    from bawaba.catalog.models import ServiceMedia

# Widths a phone, a tablet and a desktop pick from through srcset; 1280 also bounds what is stored.
IMAGE_WIDTHS: tuple[int, ...] = (320, 480, 720, 960, 1280)
# A poster is fetched even when the video is not (browsers show it at once), so it stays small.
POSTER_WIDTHS: tuple[int, ...] = (480,)
WEBP_QUALITY = 72
# Largest image we agree to decode; a bigger one is more likely an attack than a photo.
MAX_PIXELS = 40_000_000
_VARIANT_NAME = re.compile(r"^(?P<base>.+)-(?P<width>\d+)w\.webp$")
# A file name exactly as `_write_variants` makes it: <stem>.<12 hex digits of SHA-256>-<width>w.webp.
PROCESSED_FILE_NAME = re.compile(r"^(?P<base>[A-Za-z0-9_-]{1,60}\.[0-9a-f]{12})-(?P<width>\d+)w\.webp$")

# What each file field holds: images in these formats (Pillow's names, and the extension each is
# stored under until it is re-encoded as WebP), videos and captions as checked below.
IMAGE_FORMATS: dict[str, str] = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
IMAGE_FIELDS = ("image", "poster")
VIDEO_FIELD = "video_file"
CAPTIONS_FIELDS = tuple(f"captions_{language}" for language in CONTENT_LANGUAGES)
# Every extension a stored media file may have; development serving serves only these.
MEDIA_FILE_EXTENSIONS = frozenset({"jpg", "jpeg", "png", "webp", "mp4", "webm", "vtt"})
# Two hours of dense captions weigh about 150 KB.
MAX_CAPTIONS_BYTES = 1024 * 1024
# MP4 files start with an "ftyp" box listing the brands they conform to (ISO/IEC 14496-12, 4.3);
# one of these says it is MP4 video rather than, say, a HEIF photo or a QuickTime movie.
_MP4_BRANDS = frozenset(
    {b"isom", b"iso2", b"iso3", b"iso4", b"iso5", b"iso6", b"mp41", b"mp42", b"avc1", b"dash", b"M4V ", b"mmp4"}
)
# WebM is Matroska, which starts with the EBML magic number and then names its DocType.
_EBML_MAGIC = b"\x1a\x45\xdf\xa3"
_WEBM_DOCTYPE = re.compile(rb"\x42\x82.{1,8}webm", re.DOTALL)
# W3C WebVTT, section 4.1: "WEBVTT" after an optional byte order mark, then a space, a tab, a line
# end or the end of the file ("WEBVTT<script>" is not WebVTT).
_WEBVTT_SIGNATURE = re.compile(r"\ufeff?WEBVTT(?:[ \t\r\n]|$)")
# Section 5.2: the only markup in a cue is these spans (with classes and, for v and lang, an
# annotation) and timestamps. Any other "<" would be HTML, which a browser could be made to render.
_CUE_MARKUP = re.compile(
    r"</?(?:c|i|b|u|v|ruby|rt|lang)(?:\.[^\s.<>&]+)*(?:[ \t][^<>\r\n]*)?>"
    r"|<(?:\d{2,}:)?[0-5]\d:[0-5]\d\.\d{3}>"
)


@dataclass(frozen=True)
class ImageVariant:
    url: str
    width: int
    height: int


def media_file_check(*, field_name: str, content: IO[bytes], name: str | None = None) -> str:
    """The extension a file may be stored under in `field_name`, decided by its bytes.

    `content` is read from the start and left where it was. With `name` (a file already stored, or
    one whose name will be kept), that name must already end in a matching extension. Raises
    ValidationFailed, naming the field, for anything else.
    """
    if field_name in IMAGE_FIELDS:
        extension = _image_extension(content, field_name=field_name)
        allowed = {extension, "jpeg"} if extension == "jpg" else {extension}
    elif field_name == VIDEO_FIELD:
        extension = _video_extension(content, field_name=field_name)
        allowed = {extension}
    elif field_name in CAPTIONS_FIELDS:
        extension = _captions_extension(content, field_name=field_name)
        allowed = {extension}
    else:
        raise ValueError(f"{field_name!r} is not a media file field")
    if name is not None and PurePosixPath(name).suffix.lower().lstrip(".") not in allowed:
        message = _("The file name must end in .%(extension)s, the kind of file it is.") % {"extension": extension}
        raise ValidationFailed(fields={field_name: [str(message)]})
    return extension


def media_file_name(*, field_name: str, extension: str) -> str:
    """The name a new file is stored under: the server's, from the field and the checked extension.

    Never the uploader's: a name carries the type a web server and a browser will believe.
    """
    stem = "video" if field_name == VIDEO_FIELD else field_name.replace("_", "-")
    return f"{stem}.{extension}"


def validate_media_file(value: FieldFile) -> None:
    """Model field validator: a file newly put into a media field must be what that field holds.

    Files already stored were checked when they were stored, and are not fetched again here.
    """
    if not value or getattr(value, "_committed", True):
        return
    field_name = value.field.name
    try:
        media_file_check(field_name=field_name, content=value.file)
    except ValidationFailed as failure:
        raise ValidationError(failure.fields[field_name], code="invalid_media_file") from None


def _read_from_start(content: IO[bytes], size: int) -> bytes:
    position = content.tell()
    try:
        content.seek(0)
        return content.read(size)
    finally:
        content.seek(position)


def _image_extension(content: IO[bytes], *, field_name: str) -> str:
    position = content.tell()
    try:
        content.seek(0)
        with Image.open(content, formats=list(IMAGE_FORMATS)) as image:
            if image.width * image.height > MAX_PIXELS:
                raise ValidationFailed(fields={field_name: [str(_("This image is too large."))]})
            image_format = image.format or ""
            image.load()  # a header alone can lie; decoding is what pages and processing will do
    except ValidationFailed:
        raise
    except Exception:  # Pillow raises many kinds of errors on broken or hostile files
        message = _("Images must be JPEG, PNG or WebP files we can read.")
        raise ValidationFailed(fields={field_name: [str(message)]}) from None
    finally:
        content.seek(position)
    return IMAGE_FORMATS[image_format]


def _video_extension(content: IO[bytes], *, field_name: str) -> str:
    head = _read_from_start(content, 64)
    if head[4:8] == b"ftyp":
        box_size = int.from_bytes(head[:4], "big")
        # Major brand at 8, minor version at 12, compatible brands from 16 to the end of the box.
        brands = {head[offset : offset + 4] for offset in (8, *range(16, min(box_size, len(head)) - 3, 4))}
        if brands & _MP4_BRANDS:
            return "mp4"
    if head.startswith(_EBML_MAGIC) and _WEBM_DOCTYPE.search(head):
        return "webm"
    raise ValidationFailed(fields={field_name: [str(_("Videos must be MP4 or WebM files."))]})


def _captions_extension(content: IO[bytes], *, field_name: str) -> str:
    data = _read_from_start(content, MAX_CAPTIONS_BYTES + 1)
    if len(data) > MAX_CAPTIONS_BYTES:
        message = _("Captions files may be at most %(size)d KB.") % {"size": MAX_CAPTIONS_BYTES // 1024}
        raise ValidationFailed(fields={field_name: [str(message)]})
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = ""  # WebVTT is UTF-8 (section 4.1)
    if not _WEBVTT_SIGNATURE.match(text) or "\x00" in text:
        raise ValidationFailed(fields={field_name: [str(_("Captions must be a WebVTT (.vtt) file."))]})
    for opening in re.finditer("<", text):
        if not _CUE_MARKUP.match(text, opening.start()):
            only_cue_markup = _(
                "Captions may only contain WebVTT's own tags (<b>, <i>, <u>, <c>, <v>, <lang>, <ruby>, <rt>)"
                " and timestamps; write < as &lt;."
            )
            raise ValidationFailed(fields={field_name: [str(only_cue_markup)]})
    return "vtt"


def service_media_process(*, media: "ServiceMedia") -> "ServiceMedia":
    """Make the WebP copies of a saved media record's image and poster, and check its video and captions.

    Idempotent: files already processed are left alone. Raises ValidationFailed, naming the field,
    for a file that is not an image, video or captions of a kind we store, or is stored under a
    name that says otherwise (the callers check files before storing them; this is the last line).
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
    for field_name in (VIDEO_FIELD, *CAPTIONS_FIELDS):
        stored: FieldFile = getattr(media, field_name)
        if stored:
            _check_stored(stored, field_name=field_name)
    if media.video_file and not media.size_bytes:
        media.size_bytes = media.video_file.size
        changed.append("size_bytes")
    if changed:
        media.save(update_fields=sorted(set(changed)))
    return media


def is_processed(file: FieldFile) -> bool:
    return bool(_VARIANT_NAME.match(PurePosixPath(file.name or "").name))


def image_variants(media: "ServiceMedia") -> list[ImageVariant]:
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
        with Image.open(io.BytesIO(content), formats=list(IMAGE_FORMATS)) as opened:
            if opened.width * opened.height > MAX_PIXELS:
                raise ValidationFailed(fields={field_name: [str(_("This image is too large."))]})
            image = ImageOps.exif_transpose(opened)
            image.load()
    except ValidationFailed:
        raise
    except Exception:  # Pillow raises many kinds of errors on broken or hostile files
        message = _("Images must be JPEG, PNG or WebP files we can read.")
        raise ValidationFailed(fields={field_name: [str(message)]}) from None
    # WebP stores RGB or RGBA; palette and CMYK images are converted, transparency is kept.
    has_alpha = image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info)
    return image.convert("RGBA" if has_alpha else "RGB")


def _check_stored(stored: FieldFile, *, field_name: str) -> None:
    stored.open("rb")
    try:
        media_file_check(field_name=field_name, content=stored, name=stored.name)
    finally:
        stored.close()


def _scaled_height(width: int, height: int, target: int) -> int:
    return max(1, round(height * target / width))
