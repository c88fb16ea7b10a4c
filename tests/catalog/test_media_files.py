"""Media files are served from the portal's own origin, so only images, videos and captions are
stored, checked by their bytes and named by the server, whether an editor uploads them in the admin
or an operator imports them; anything a browser could take for a page is refused and nothing is kept.
"""

import io
import json
import re
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.test import RequestFactory
from django.utils import translation
from PIL import Image

from bawaba.catalog.constants import MediaKind
from bawaba.catalog.media import service_media_process
from bawaba.catalog.models import ServiceMedia
from bawaba.catalog.transfer.errors import CatalogueImportFailed
from bawaba.catalog.transfer.json_import import catalogue_import
from bawaba.core.errors import ValidationFailed
from config.urls import media_serve
from tests.catalog.test_admin_helpers import admin_url, make_staff, service_form
from tests.factories import DepartmentFactory

MP4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00\x00\x00\x08free"
WEBM = b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\xf7\x81\x01\x42\xf2\x81\x04\x42\xf3\x81\x08\x42\x82\x84webm"
HTML = b"<!doctype html><html><body><script>fetch('/ar/admin/')</script></body></html>"
CAPTIONS = (
    b"WEBVTT - captions\n\nNOTE made by hand\n\n00:00.000 --> 00:02.000\n<v Ahmed>Bring your <i>old</i> card.</v>\n\n"
    b"00:02.000 --> 00:04.000 line:0\n<c.yellow>Then</c> <00:03.000><b>wait</b> &lt;here&gt;.\n"
)


def _image(image_format: str = "PNG", size: tuple[int, int] = (64, 48)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (10, 120, 90)).save(buffer, format=image_format)
    return buffer.getvalue()


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEDIA_ROOT.mkdir()
    return settings.MEDIA_ROOT


def _stored(media_root: Path) -> list[str]:
    return sorted(path.relative_to(media_root).as_posix() for path in media_root.rglob("*") if path.is_file())


# An editor in the admin.


@pytest.fixture
def editor_client(client, department):
    client.force_login(make_staff("editor.interior", departments=(department,)))
    return client


def _upload(client, service, **files):
    """Post the service's change form with one new video entry carrying `files`."""
    data = service_form(
        service,
        **{
            "media-TOTAL_FORMS": 1,
            "media-0-position": 1,
            "media-0-kind": "video",
            "media-0-video_url": "https://video.example.iq/passport",
            "media-0-alt_ar": "فيديو",
            **{f"media-0-{name}": upload for name, upload in files.items()},
        },
    )
    with translation.override("en"):
        return client.post(admin_url("catalog_service_change", service.pk), data)


def _media_errors(response) -> dict[str, list[str]]:
    formset = next(f for f in response.context["inline_admin_formsets"] if f.opts.model is ServiceMedia)
    with translation.override("en"):  # Django's own messages are translated when read
        return {field: [str(error) for error in errors] for field, errors in formset.formset.errors[0].items()}


@pytest.mark.parametrize(
    ("field", "name", "content", "message"),
    [
        ("video_file", "evil.html", HTML, "Videos must be MP4 or WebM files."),
        ("video_file", "clip.mp4", HTML, "Videos must be MP4 or WebM files."),
        ("video_file", "movie.mov", b"\x00\x00\x00\x14ftypqt  \x00\x00\x00\x00qt  ", "Videos must be MP4 or WebM"),
        ("captions_ar", "x.html", b"WEBVTT<script>alert(document.cookie)</script>", "Captions must be a WebVTT"),
        ("captions_ar", "x.vtt", b"WEBVTT\n\n00:00.000 --> 00:01.000\n<script>alert(1)</script>\n", "WebVTT's own"),
        ("captions_en", "x.vtt", b"WEBVTT\n\nNOTE <img src=x onerror=alert(1)>\n", "WebVTT's own tags"),
        ("captions_en", "x.vtt", b"WEBVTT\n\n00:00.000 --> 00:01.000\n<v <svg onload=alert(1)>>hi\n", "WebVTT's own"),
        ("captions_ckb", "x.vtt", "WEBVTT\n\nمرحبا".encode("utf-16"), "Captions must be a WebVTT (.vtt) file."),
        ("poster", "poster.png", b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>", "Upload a valid"),
        ("poster", "poster.gif", _image("GIF"), "Images must be JPEG, PNG or WebP"),
    ],
)
def test_the_admin_refuses_files_that_are_not_what_their_field_holds(
    editor_client, service, media_root, field, name, content, message
):
    response = _upload(editor_client, service, **{field: SimpleUploadedFile(name, content, content_type="video/mp4")})

    assert response.status_code == 200
    assert any(message in error for error in _media_errors(response)[field]), _media_errors(response)
    assert not ServiceMedia.objects.exists()
    assert _stored(media_root) == []


def test_the_admin_stores_files_under_names_the_server_chooses(editor_client, service, media_root):
    response = _upload(
        editor_client,
        service,
        video_file=SimpleUploadedFile("<b>My clip</b>.html", MP4 + HTML, content_type="text/html"),
        captions_ar=SimpleUploadedFile("subtitles.ar.html", CAPTIONS, content_type="text/html"),
        captions_en=SimpleUploadedFile("no-extension", b"\xef\xbb\xbfWEBVTT\n", content_type="text/plain"),
        poster=SimpleUploadedFile("poster.jpeg", _image("JPEG"), content_type="image/jpeg"),
    )

    assert response.status_code == 302
    media = ServiceMedia.objects.get()
    # An MP4 header in front of HTML is still served as video/mp4 (and never sniffed), never as a page.
    assert (media.video_file.name, media.captions_ar.name, media.captions_en.name) == (
        "services/passport-renewal/video.mp4",
        "services/passport-renewal/captions-ar.vtt",
        "services/passport-renewal/captions-en.vtt",
    )
    assert re.fullmatch(r"services/passport-renewal/poster\.[0-9a-f]{12}-64w\.webp", media.poster.name)
    assert all(name.rsplit(".", 1)[1] in {"mp4", "vtt", "webp"} for name in _stored(media_root))


def test_the_admin_accepts_webm_videos(editor_client, service):
    response = _upload(editor_client, service, video_file=SimpleUploadedFile("clip.webm", WEBM))
    assert response.status_code == 302
    assert ServiceMedia.objects.get().video_file.name == "services/passport-renewal/video.webm"


def test_the_model_refuses_a_new_file_that_is_not_what_the_field_holds(service):
    media = ServiceMedia(service=service, kind=MediaKind.VIDEO, alt_ar="فيديو")
    media.video_file = ContentFile(HTML, name="video.mp4")
    media.captions_ar = ContentFile(b"WEBVTT\n\n<script>", name="captions-ar.vtt")
    with pytest.raises(ValidationError) as failure:
        media.full_clean()
    assert set(failure.value.message_dict) == {"video_file", "captions_ar"}


def test_processing_refuses_a_stored_file_of_another_kind(service):
    # The last line, for files stored some other way: HTML behind a video's name, or a video named as a page.
    for name, content in (("video.mp4", HTML), ("video.html", MP4)):
        media = ServiceMedia(service=service, kind=MediaKind.VIDEO, alt_ar="فيديو")
        media.video_file.save(name, ContentFile(content), save=False)
        media.save()
        with pytest.raises(ValidationFailed) as failure:
            service_media_process(media=media)
        assert list(failure.value.fields) == ["video_file"]


# An operator's import file.


def _document(media: dict) -> dict:
    return {
        "format": "bawaba-catalogue",
        "version": 1,
        "services": [
            {
                "slug": "national-id-card",
                "department": "interior",
                "name": {"ar": "البطاقة الوطنية"},
                "summary": {"ar": "ملخص"},
                "media": [{"alt": {"ar": "ملف"}, **media}],
            }
        ],
    }


def _import_problems(media: dict, folder: Path, **kwargs) -> list[tuple[str, str]]:
    with pytest.raises(CatalogueImportFailed) as failure, translation.override("en"):
        catalogue_import(document=_document(media), media_root=folder, **kwargs)
    return [(problem.location, problem.message) for problem in failure.value.problems]


@pytest.mark.parametrize("dry_run", [False, True])
@pytest.mark.parametrize(
    ("media", "files", "location", "message"),
    [
        ({"kind": "video", "video_file": "evil.html"}, {"evil.html": HTML}, "video_file", "Videos must be MP4"),
        ({"kind": "video", "video_file": "clip.mp4"}, {"clip.mp4": HTML}, "video_file", "Videos must be MP4"),
        (
            {"kind": "video", "video_url": "https://v.example.iq/a", "captions": {"ar": "x.html"}},
            {"x.html": b"WEBVTT<script>alert(1)</script>"},
            "captions_ar",
            "Captions must be a WebVTT",
        ),
        (
            {"kind": "video", "video_url": "https://v.example.iq/a", "captions": {"en": "x.vtt"}},
            {"x.vtt": b"WEBVTT\n\n00:00.000 --> 00:01.000\n<script>alert(1)</script>\n"},
            "captions_en",
            "WebVTT's own tags",
        ),
        ({"kind": "image", "image": "x.svg"}, {"x.svg": b"<svg onload='alert(1)'/>"}, "image", "Images must be"),
        ({"kind": "image", "image": "x.gif"}, {"x.gif": _image("GIF")}, "image", "Images must be"),
    ],
)
def test_the_importer_refuses_files_that_are_not_what_their_field_holds(
    db, tmp_path, media_root, media, files, location, message, dry_run
):
    DepartmentFactory(slug="interior")
    folder = tmp_path / "source"
    folder.mkdir()
    for name, content in files.items():
        (folder / name).write_bytes(content)

    problems = _import_problems(media, folder, dry_run=dry_run)

    assert [where for where, _problem in problems] == [f"services[0].media[0].{location}"]
    assert message in problems[0][1]
    assert not ServiceMedia.objects.exists()
    assert _stored(media_root) == []


def test_the_importer_stores_files_under_names_the_server_chooses(db, tmp_path, media_root):
    DepartmentFactory(slug="interior")
    folder = tmp_path / "source"
    folder.mkdir()
    (folder / "clip.html").write_bytes(MP4)
    (folder / "captions.txt").write_bytes(CAPTIONS)
    media = {"kind": "video", "video_file": "clip.html", "captions": {"ar": "captions.txt"}}

    catalogue_import(document=_document(media), media_root=folder)

    stored = ServiceMedia.objects.get()
    assert (stored.video_file.name, stored.captions_ar.name) == (
        "services/national-id-card/video.mp4",
        "services/national-id-card/captions-ar.vtt",
    )
    assert _stored(media_root) == ["services/national-id-card/captions-ar.vtt", "services/national-id-card/video.mp4"]


def test_files_already_in_the_storage_must_be_named_for_what_they_are(db, media_root):
    # The admin's import page reads paths relative to the storage itself: files there are used in place.
    DepartmentFactory(slug="interior")
    folder = media_root / "services" / "other"
    folder.mkdir(parents=True)
    (folder / "page.html").write_bytes(MP4 + HTML)
    (folder / "fine.mp4").write_bytes(MP4)
    before = _stored(media_root)

    problems = _import_problems({"kind": "video", "video_file": "services/other/page.html"}, media_root)

    assert problems == [
        ("services[0].media[0].video_file", "page.html: The file name must end in .mp4, the kind of file it is.")
    ]
    assert _stored(media_root) == before
    fine = {"kind": "video", "video_file": "services/other/fine.mp4"}
    catalogue_import(document=_document(fine), media_root=media_root)
    assert ServiceMedia.objects.get().video_file.name == "services/other/fine.mp4"


def test_copies_of_an_image_processed_elsewhere_are_checked_too(db, tmp_path, media_root):
    DepartmentFactory(slug="interior")
    folder = tmp_path / "other-server"
    folder.mkdir()
    base = "card.0123456789ab"
    (folder / f"{base}-480w.webp").write_bytes(_image("WEBP", (480, 300)))
    (folder / f"{base}-320w.webp").write_bytes(HTML)
    media = {"kind": "image", "image": f"{base}-480w.webp"}

    problems = _import_problems(media, folder)

    assert [where for where, _problem in problems] == ["services[0].media[0].image"]
    assert problems[0][1].startswith(f"{base}-320w.webp: Images must be JPEG, PNG or WebP")
    assert _stored(media_root) == []
    (folder / f"{base}-320w.webp").write_bytes(_image("WEBP", (320, 200)))
    catalogue_import(document=_document(media), media_root=folder)
    assert _stored(media_root) == [f"services/national-id-card/{base}-{width}w.webp" for width in (320, 480)]


def test_the_demo_media_still_import(db, media_root):
    from bawaba.catalog.demo import MEDIA_DIR

    DepartmentFactory(slug="interior")
    mapping = json.loads((MEDIA_DIR / "media.json").read_text(encoding="utf-8"))
    video = next(item for item in mapping["national-id-card"] if item["kind"] == "video")
    catalogue_import(document=_document(video), media_root=MEDIA_DIR)
    stored = ServiceMedia.objects.get()
    assert stored.video_file.name == "services/national-id-card/video.mp4"
    assert stored.captions_ckb.name == "services/national-id-card/captions-ckb.vtt"
    assert stored.poster.name.endswith("-480w.webp")


# Development serving of MEDIA_URL.


@pytest.mark.parametrize("name", ["evil.html", "evil.svg", "evil.HTML", "evil.js", "notes.txt", "no-extension"])
def test_development_serving_refuses_other_kinds_of_file(media_root, name):
    (media_root / name).write_bytes(HTML)
    with pytest.raises(Http404):
        media_serve(RequestFactory().get(f"/media/{name}"), name)


@pytest.mark.parametrize(
    ("name", "content_type"), [("c.vtt", "text/vtt"), ("v.mp4", "video/mp4"), ("i.webp", "image/webp")]
)
def test_development_serving_says_what_a_file_is_and_forbids_sniffing(media_root, name, content_type):
    (media_root / name).write_bytes(b"WEBVTT\n")
    response = media_serve(RequestFactory().get(f"/media/{name}"), name)
    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response["X-Content-Type-Options"] == "nosniff"
