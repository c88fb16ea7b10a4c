"""The service guide page, read as HTML: every part of the guide, in the reader's language and digits."""

import re

import pytest
from django.utils import translation

from bawaba.catalog.models import ServiceFeedback
from bawaba.core.templatetags.bawaba import duration, filesize, number_format
from tests.browser.data import DEPARTMENT_SLUG, GUIDE_SLUG, build_catalogue

GUIDE = f"/{{language}}/services/{GUIDE_SLUG}/"


@pytest.fixture
def catalogue(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return build_catalogue()


def _page(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200
    return response.content.decode()


def test_fees_and_durations_are_written_in_the_readers_digits(client, catalogue):
    arabic = _page(client, GUIDE.format(language="ar"))
    english = _page(client, GUIDE.format(language="en"))
    assert "٥٬٠٠٠" in arabic
    assert "٢٥٬٠٠٠" in arabic
    assert '<span class="amount">5,000 IQD</span>' in english
    assert '<span class="amount">25,000 IQD</span>' in english
    assert "3 to 10 working days" in english
    assert "٣" in arabic
    assert "١٠" in arabic


def test_the_guide_shows_every_part(client, catalogue):
    html = _page(client, GUIDE.format(language="en"))
    for text in [
        "Demonstration guide: not official information",
        "The unified national card proves who you are",
        "Every Iraqi aged 12 or over.",
        "The old civil status ID",
        "Online on Bawaba",
        "In person at an office",
        "No account needed",
        "Fill in the form",
        "Karkh Civil Status Office",
        "Sunday to Thursday, 8:00 to 14:00",
        "National Card Law No. 3 of 2016.",
        "Renew a passport",
        '<time datetime="2026-03-15">15 March 2026</time>',
        "Was this helpful?",
    ]:
        assert text in html, text
    # Steps say where they happen, with an icon that screen readers skip.
    assert re.search(r'<p class="where"><svg class="icon" aria-hidden="true"[^>]*><use href="#icon-office"/>', html)
    assert 'id="icon-office"' in html


def test_offices_link_to_maps_from_their_coordinates(client, catalogue):
    html = _page(client, GUIDE.format(language="en"))
    assert 'href="https://www.openstreetmap.org/?mlat=33.3152&amp;mlon=44.3661#map=17/33.3152/44.3661"' in html
    assert 'href="geo:33.3152,44.3661"' in html
    assert 'href="tel:+96415550100"' in html
    assert "<iframe" not in html


def test_a_text_missing_in_the_readers_language_is_marked_with_its_own(client, catalogue):
    arabic = _page(client, GUIDE.format(language="ar"))
    assert '<p class="meta" lang="en" dir="ltr">Replacing a lost card costs more.</p>' in arabic
    kurdish = _page(client, GUIDE.format(language="ckb"))
    # No Kurdish legal basis: the Arabic one is shown, and said to be Arabic.
    assert '<p lang="ar" dir="rtl">قانون البطاقة الوطنية رقم 3 لسنة 2016.</p>' in kurdish
    assert "<h1>دەرکردنی کارتی نیشتمانی</h1>" in kurdish


def test_pictures_are_responsive_and_lazy(client, catalogue):
    html = _page(client, GUIDE.format(language="en"))
    pattern = r'<img src="[^"]+-720w\.webp" srcset="([^"]+)" sizes="[^"]+" width="720" height="456"[^>]*>'
    image = re.search(pattern, html)
    assert image, html
    widths = re.findall(r"-(\d+)w\.webp (\d+)w", image.group(1))
    assert [int(width) for width, _ in widths] == [320, 480, 720, 960, 1200]
    assert 'loading="lazy"' in image.group(0)
    assert 'alt="Illustration of the front of the national card"' in image.group(0)
    # The step's own picture is shown inside that step.
    steps = html[html.index('class="steps"') :]
    assert 'alt="Illustration of the back of the card"' in steps[: steps.index("</ol>")]


def test_videos_never_autoplay_have_captions_and_say_their_size(client, catalogue):
    html = _page(client, GUIDE.format(language="ar"))
    video = re.search(r"<video [^>]*>", html).group(0)
    assert 'preload="none"' in video
    assert "autoplay" not in video
    assert re.search(r'poster="/media/services/national-id-card/[^"]+-480w\.webp"', video)
    tracks = re.findall(r'<track kind="captions" src="[^"]+\.vtt" srclang="(\w+)" label="([^"]+)"( default)?>', html)
    assert tracks == [("ar", "العربيّة", " default"), ("ckb", "کوردی", ""), ("en", "English", "")]
    size = re.search(r"فيديو، ([^,،<]+)", html)
    assert size
    assert size.group(1).startswith("٢٩")
    assert "download>" in html


def test_department_page_lists_services_and_offices(client, catalogue):
    html = _page(client, f"/en/departments/{DEPARTMENT_SLUG}/")
    assert "Get the unified national card" in html
    assert "Karkh Civil Status Office" in html
    assert "geo:33.3152,44.3661" in html


def test_pages_ship_no_javascript_and_no_outside_resources(client, catalogue):
    for path in ["/ar/", GUIDE.format(language="ar"), f"/ar/departments/{DEPARTMENT_SLUG}/", "/ar/search/?q=x"]:
        html = _page(client, path)
        assert "<script" not in html, path
        outside = re.search(r'(src|href)="(https?:)?//(?!www\.openstreetmap\.org|example\.org|testserver/)', html)
        assert outside is None, path
        assert '<a class="skip" href="#main">' in html
        assert '<main id="main"' in html


def test_language_switcher_keeps_the_page_and_its_query(client, catalogue):
    html = _page(client, "/ar/search/?q=%D8%AC%D9%88%D8%A7%D8%B2")
    assert 'href="/en/search/?q=%D8%AC%D9%88%D8%A7%D8%B2" lang="en" hreflang="en" dir="ltr"' in html
    assert 'href="/ckb/search/?q=%D8%AC%D9%88%D8%A7%D8%B2" lang="ckb" hreflang="ckb" dir="rtl"' in html


def test_feedback_without_an_answer_explains_what_is_missing(client, catalogue):
    response = client.post(f"/en/services/{GUIDE_SLUG}/feedback/", {"reason": "unclear"})
    assert response.status_code == 400
    html = response.content.decode()
    assert '<div class="error-summary" role="alert"' in html
    assert '<a href="#id_is_helpful_0">' in html
    assert '<fieldset aria-describedby="id_is_helpful_error">' in html
    assert 'aria-invalid="true"' in html
    assert ServiceFeedback.objects.count() == 0


def test_feedback_is_recorded_and_thanked(client, catalogue):
    response = client.post(f"/en/services/{GUIDE_SLUG}/feedback/", {"is_helpful": "no", "reason": "unclear"})
    assert response.status_code == 302
    html = _page(client, response["Location"])
    assert '<p class="notice" role="status">Thank you.' in html
    assert ServiceFeedback.objects.get().reason == "unclear"


def test_unknown_page_is_translated_and_offers_search(client, db):
    response = client.get("/ar/services/no-such-service/")
    assert response.status_code == 404
    html = response.content.decode()
    assert '<html lang="ar" dir="rtl">' in html
    assert 'role="search"' in html


@pytest.mark.parametrize(
    ("language", "value", "expected"),
    [("ar", 25000, "٢٥٬٠٠٠"), ("ckb", 1500000, "١٬٥٠٠٬٠٠٠"), ("en", 25000, "25,000"), ("ar", 0, "٠")],
)
def test_numbers_are_written_as_the_language_does(language, value, expected):
    assert number_format(value, language) == expected


def test_file_sizes_and_durations_in_each_language():
    with translation.override("en"):
        assert filesize(2_516_582) == "2.4 MB"
        assert filesize(29_250) == "29 KB"
        assert filesize(500) == "500 bytes"
        assert duration(80) == "1 min 20 s"
        assert duration(16) == "16 s"
    with translation.override("ar"):
        assert filesize(2_516_582).startswith("٢٫٤")
        assert duration(16).startswith("١٦")


def test_each_page_names_its_versions_in_the_other_languages(client, catalogue):
    html = _page(client, GUIDE.format(language="ar"))
    for language in ("ar", "ckb", "en"):
        expected = (
            f'<link rel="alternate" hreflang="{language}" href="http://testserver/{language}/services/{GUIDE_SLUG}/">'
        )
        assert expected in html
