"""Guide pictures are stored as small WebP copies; captions must be WebVTT; the importer and demo data use both."""

import io
import json

import pytest
from django.core.files.base import ContentFile
from PIL import Image

from bawaba.catalog.constants import MediaKind
from bawaba.catalog.demo import MEDIA_DIR, demo_document
from bawaba.catalog.media import IMAGE_WIDTHS, image_variants, is_processed, service_media_process
from bawaba.catalog.models import ServiceMedia
from bawaba.catalog.transfer.errors import CatalogueImportFailed
from bawaba.catalog.transfer.json_import import catalogue_import
from bawaba.core.errors import ValidationFailed
from tests.factories import DepartmentFactory


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def _png(width: int, height: int, *, with_location: bool = False) -> bytes:
    image = Image.new("RGB", (width, height), (0, 90, 70))
    buffer = io.BytesIO()
    if with_location:
        exif = Image.Exif()
        exif[0x010F] = "PhoneMaker"  # Make
        exif[0x0131] = "Camera 1.0"  # Software
        image.save(buffer, format="JPEG", exif=exif.tobytes())
    else:
        image.save(buffer, format="PNG")
    return buffer.getvalue()


def _picture(service, content: bytes, name: str = "photo.png") -> ServiceMedia:
    media = ServiceMedia(service=service, kind=MediaKind.IMAGE, alt_ar="صورة")
    media.image.save(name, ContentFile(content), save=False)
    media.save()
    return media


def test_an_image_is_stored_as_webp_at_each_width_up_to_its_own(service, media_root):
    media = _picture(service, _png(1000, 500))
    original = media.image.name

    service_media_process(media=media)

    media.refresh_from_db()
    assert is_processed(media.image)
    assert (media.width, media.height) == (1000, 500)
    variants = image_variants(media)
    assert [(v.width, v.height) for v in variants] == [(320, 160), (480, 240), (720, 360), (960, 480), (1000, 500)]
    for variant in variants:
        stored = media_root / variant.url.removeprefix("/media/")
        with Image.open(stored) as image:
            assert image.format == "WEBP"
            assert image.size == (variant.width, variant.height)
    assert not (media_root / original).exists(), "the upload itself is not kept"
    assert media.size_bytes == (media_root / media.image.name).stat().st_size


def test_a_large_photo_is_capped_and_loses_its_exif_location(service, media_root):
    media = _picture(service, _png(3000, 2000, with_location=True), name="from-phone.jpg")

    service_media_process(media=media)

    assert media.width == IMAGE_WIDTHS[-1]
    with Image.open(media_root / media.image.name) as image:
        assert image.getexif() == {}


def test_a_small_image_is_never_enlarged(service):
    media = _picture(service, _png(200, 100))
    service_media_process(media=media)
    assert [(v.width, v.height) for v in image_variants(media)] == [(200, 100)]


def test_processing_twice_changes_nothing(service, media_root):
    media = _picture(service, _png(800, 400))
    service_media_process(media=media)
    name, files = media.image.name, sorted(p.name for p in (media_root / "services" / service.slug).iterdir())

    service_media_process(media=media)

    assert media.image.name == name
    assert sorted(p.name for p in (media_root / "services" / service.slug).iterdir()) == files


def test_an_unprocessed_image_is_shown_as_it_is(service):
    media = _picture(service, _png(640, 480))
    assert [(v.url, v.width) for v in image_variants(media)] == [(media.image.url, 640)]


def test_a_file_that_is_not_an_image_is_refused(service):
    media = _picture(service, b"%PDF-1.4 not a picture", name="document.png")
    with pytest.raises(ValidationFailed) as failure:
        service_media_process(media=media)
    assert list(failure.value.fields) == ["image"]


def test_captions_must_be_webvtt(service):
    media = ServiceMedia(service=service, kind=MediaKind.VIDEO, video_url="https://example.org/v", alt_ar="فيديو")
    media.captions_en.save("captions.srt", ContentFile(b"1\n00:00:01,000 --> 00:00:02,000\nHello\n"), save=False)
    media.save()
    with pytest.raises(ValidationFailed) as failure:
        service_media_process(media=media)
    assert list(failure.value.fields) == ["captions_en"]


def test_a_video_gets_its_size_and_a_small_poster(service):
    media = ServiceMedia(service=service, kind=MediaKind.VIDEO, alt_ar="فيديو")
    mp4 = b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2"
    media.video_file.save("clip.mp4", ContentFile(mp4 + b"\0" * (2048 - len(mp4))), save=False)
    media.poster.save("poster.png", ContentFile(_png(1280, 720)), save=False)
    media.captions_ar.save("clip.ar.vtt", ContentFile("\ufeffWEBVTT\n\n".encode()), save=False)
    media.save()

    service_media_process(media=media)

    media.refresh_from_db()
    assert media.size_bytes == 2048
    assert media.poster.name.endswith("-480w.webp")


def _document(media: list[dict]) -> dict:
    return {
        "format": "bawaba-catalogue",
        "version": 1,
        "services": [
            {
                "slug": "national-id-card",
                "department": "interior",
                "name": {"ar": "البطاقة الوطنية"},
                "summary": {"ar": "ملخص"},
                "steps": [{"location": "office", "title": {"ar": "احضر"}}],
                "media": media,
            }
        ],
    }


def test_the_importer_processes_media(db):
    DepartmentFactory(slug="interior")
    picture = {"kind": "image", "image": "national-id-card/card-front.png", "alt": {"ar": "رسم", "en": "Drawing"}}

    catalogue_import(document=_document([picture]), media_root=MEDIA_DIR)

    media = ServiceMedia.objects.get()
    assert is_processed(media.image)
    assert media.width == 1200


def test_the_importer_reports_a_picture_it_cannot_read(db, tmp_path):
    DepartmentFactory(slug="interior")
    (tmp_path / "broken.png").write_bytes(b"not an image")
    picture = {"kind": "image", "image": "broken.png", "alt": {"ar": "رسم"}}

    with pytest.raises(CatalogueImportFailed) as failure:
        catalogue_import(document=_document([picture]), media_root=tmp_path)

    assert [problem.location for problem in failure.value.problems] == ["services[0].media[0].image"]


def test_demo_media_mapping_names_real_files_and_complete_texts():
    mapping = json.loads((MEDIA_DIR / "media.json").read_text(encoding="utf-8"))
    assert {"national-id-card", "passport-renewal", "driving-licence-first"} <= set(mapping)
    kinds = [item["kind"] for items in mapping.values() for item in items]
    assert "video" in kinds
    for items in mapping.values():
        for item in items:
            for key in ("image", "video_file", "poster", *[f"captions.{code}" for code in ("ar", "ckb", "en")]):
                relative = item.get("captions", {}).get(key[9:]) if key.startswith("captions.") else item.get(key)
                if relative:
                    assert (MEDIA_DIR / relative).is_file(), relative
            for field in ("alt", "caption"):
                assert set(item[field]) == {"ar", "ckb", "en"}
                assert all(text.strip() for text in item[field].values())
            if item["kind"] == "video":
                assert set(item["captions"]) == {"ar", "ckb", "en"}


def test_demo_document_attaches_media_to_their_services():
    document = demo_document()
    mapping = json.loads((MEDIA_DIR / "media.json").read_text(encoding="utf-8"))
    services = {service["slug"]: service for service in document["services"]}
    for slug, items in mapping.items():
        service = services.get(slug)
        if service is None:
            continue  # that guide is not in the demo catalogue yet; its pictures wait for it
        attached = {item.get("image") or item.get("video_file") for item in service["media"]}
        assert {item.get("image") or item.get("video_file") for item in items} <= attached
        for item in service["media"]:
            # A picture for a step the guide does not have is shown with the guide instead.
            assert item.get("step") is None or 1 <= item["step"] <= len(service.get("steps") or [])
