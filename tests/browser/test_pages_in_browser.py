"""What a person on a phone goes through: home page, search, a guide; in each language, without
JavaScript, and on a 320-pixel screen. Each page must pass axe-core's WCAG 2.2 A/AA rules and log no errors."""

import re
from urllib.parse import quote

import pytest

from tests.browser.conftest import axe_violations_of_snapshot
from tests.browser.data import GUIDE_SLUG, SEARCH_WORD

pytestmark = pytest.mark.browser

DIRECTIONS = {"ar": "rtl", "ckb": "rtl", "en": "ltr"}


def _assert_page_language(tab, language):
    html = tab.page.locator("html")
    assert html.get_attribute("lang") == language
    assert html.get_attribute("dir") == DIRECTIONS[language]


@pytest.mark.parametrize("language", ["ar", "ckb", "en"])
def test_find_a_guide_from_the_home_page(phone, language):
    phone.open(f"/{language}/")
    _assert_page_language(phone, language)
    assert phone.axe_violations() == []

    phone.page.get_by_role("searchbox").fill(SEARCH_WORD[language])
    phone.page.get_by_role("searchbox").press("Enter")
    phone.page.wait_for_url(re.compile(r"/search/\?q="))
    _assert_page_language(phone, language)
    assert phone.axe_violations() == []

    phone.page.locator(f"a[href$='/services/{GUIDE_SLUG}/']").first.click()
    phone.page.wait_for_url(f"**/{language}/services/{GUIDE_SLUG}/")
    _assert_page_language(phone, language)
    assert phone.page.get_by_role("heading", level=1).count() == 1
    assert phone.axe_violations() == []
    assert phone.errors == []


def test_arabic_pages_use_the_self_hosted_font(phone):
    phone.open("/ar/")
    phone.page.evaluate("document.fonts.ready")
    loaded = phone.page.evaluate("[...document.fonts].filter(f => f.status === 'loaded').map(f => f.family)")
    assert any("Bawaba Arabic" in family for family in loaded)
    assert all(url.startswith(phone.base_url) for url in phone.requests), "nothing may come from elsewhere"


def test_language_switcher_keeps_the_page(phone):
    phone.open(f"/ar/services/{GUIDE_SLUG}/")
    phone.page.get_by_role("navigation", name="اللغة").get_by_role("link", name="English").click()
    phone.page.wait_for_url(f"**/en/services/{GUIDE_SLUG}/")
    _assert_page_language(phone, "en")
    assert phone.page.get_by_role("heading", level=1).inner_text() == "Get the unified national card"


def test_other_pages_pass_axe(phone):
    for path in ["/ar/departments/", "/ar/departments/interior/", "/ar/categories/identity/", "/ar/search/"]:
        phone.open(path)
        assert phone.axe_violations() == [], path
    assert phone.errors == []


def test_guide_media_are_light_and_accessible(phone):
    phone.open(f"/en/services/{GUIDE_SLUG}/")
    picture = phone.page.locator("figure img").first
    picture.scroll_into_view_if_needed()
    picture.evaluate("image => image.decode()")
    assert picture.get_attribute("loading") == "lazy"
    assert picture.get_attribute("alt") == "Illustration of the front of the national card"
    assert picture.evaluate("image => image.currentSrc").endswith(".webp")
    assert picture.evaluate("image => image.naturalWidth") > 0

    video = phone.page.locator("video")
    assert video.get_attribute("preload") == "none"
    assert video.get_attribute("autoplay") is None
    assert video.evaluate("video => video.paused")
    tracks = video.locator("track[kind=captions]")
    assert sorted(tracks.evaluate_all("tracks => tracks.map(t => t.srclang)")) == ["ar", "ckb", "en"]
    assert "Video, " in phone.page.locator(".media-info").first.inner_text()
    # The video itself is only fetched when the person presses play.
    assert not [url for url in phone.requests if url.endswith(".mp4")]
    assert phone.errors == []


def test_feedback_form_errors_are_announced_and_linked(phone):
    phone.open(f"/en/services/{GUIDE_SLUG}/")
    phone.page.get_by_role("button", name="Send").click()
    phone.page.wait_for_load_state()
    summary = phone.page.get_by_role("alert")
    assert "Please check your answer" in summary.inner_text()
    target = summary.get_by_role("link").first.get_attribute("href")
    assert phone.page.locator(target).count() == 1
    assert phone.page.get_by_role("group", name="Was this helpful?").is_visible()
    phone.errors.clear()  # the 400 answer to the invalid form is expected
    assert phone.axe_violations() == []

    phone.page.get_by_role("radio", name="No").check()
    phone.page.get_by_label("Why?").select_option("unclear")
    phone.page.get_by_role("button", name="Send").click()
    phone.page.wait_for_url("**/?feedback=sent#feedback")
    assert "Thank you" in phone.page.get_by_role("status").inner_text()


def test_skip_link_is_first_and_visible_when_focused(phone):
    phone.open("/ar/")
    phone.page.keyboard.press("Tab")
    skip = phone.page.locator(":focus")
    assert skip.get_attribute("href") == "#main"
    box = skip.bounding_box()
    assert box is not None
    assert box["y"] >= 0, "the focused skip link must be on screen"
    assert skip.evaluate("element => getComputedStyle(element).outlineStyle") != "none"
    phone.page.keyboard.press("Enter")
    assert phone.page.evaluate("document.activeElement.id") == "main"


@pytest.mark.parametrize("language", ["ar", "en"])
def test_pages_reflow_at_320_pixels(narrow_phone, language):
    query = quote(SEARCH_WORD[language])
    for path in [
        f"/{language}/",
        f"/{language}/search/?q={query}",
        f"/{language}/services/{GUIDE_SLUG}/",
        f"/{language}/departments/interior/",
    ]:
        narrow_phone.open(path)
        overflow = narrow_phone.page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{path} scrolls sideways by {overflow}px"
        assert narrow_phone.axe_violations() == [], path
    assert narrow_phone.errors == []


def test_everything_works_without_javascript(browser, phone_without_javascript):
    tab = phone_without_javascript
    snapshots = []
    tab.open("/ar/")
    _assert_page_language(tab, "ar")
    snapshots.append((tab.page.url, tab.page.content()))
    tab.page.get_by_role("searchbox").fill(SEARCH_WORD["ar"])
    tab.page.get_by_role("button").filter(has=tab.page.locator("svg")).click()
    tab.page.wait_for_url(re.compile(r"/search/\?q="))
    snapshots.append((tab.page.url, tab.page.content()))
    tab.page.locator(f"a[href$='/services/{GUIDE_SLUG}/']").first.click()
    tab.page.wait_for_url(f"**/ar/services/{GUIDE_SLUG}/")
    assert tab.page.get_by_role("heading", level=1).inner_text() == "إصدار البطاقة الوطنية الموحدة"
    assert tab.page.locator("script").count() == 0, "pages ship no JavaScript"
    snapshots.append((tab.page.url, tab.page.content()))
    tab.page.locator("input[name=is_helpful][value=yes]").check()
    tab.page.locator("#feedback button[type=submit]").click()
    tab.page.wait_for_url("**/?feedback=sent#feedback")
    assert tab.page.locator("#feedback [role=status]").is_visible()
    assert tab.errors == []
    for url, html in snapshots:
        assert axe_violations_of_snapshot(browser, url, html) == [], url
