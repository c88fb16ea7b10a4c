"""Chromium through Playwright against pytest-django's live server, with axe-core for accessibility.

Debian's /usr/bin/chromium is used (CI installs it); axe-core comes from npm (node_modules). When
either is missing the browser tests are skipped with the reason, unless BAWABA_REQUIRE_BROWSER=1,
as in CI, where a missing browser is a failure.
"""

import datetime as dt
import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.browser.data import Catalogue, build_catalogue

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("BAWABA_CHROMIUM", "/usr/bin/chromium"))
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
# WCAG 2.0, 2.1 and 2.2 at levels A and AA: the bar the portal has to meet.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
# A cheap Android phone: 360 CSS pixels wide at a device pixel ratio of 2.
PHONE = {"width": 360, "height": 740}


def _missing_tools() -> str | None:
    if not CHROMIUM.exists():
        return f"Chromium not found at {CHROMIUM} (apt-get install chromium)"
    if not AXE.exists():
        return f"axe-core not found at {AXE} (npm ci)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright Python package is not installed"
    return None


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    missing = _missing_tools()
    if missing:
        if os.environ.get("BAWABA_REQUIRE_BROWSER") == "1":
            pytest.fail(f"browser tests required (BAWABA_REQUIRE_BROWSER=1) but {missing}")
        pytest.skip(missing)
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; Django would otherwise refuse ORM calls.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
            yield chromium
            chromium.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def catalogue(transactional_db, settings, tmp_path) -> Catalogue:
    settings.MEDIA_ROOT = tmp_path / "media"
    return build_catalogue()


@dataclass
class Tab:
    """A page plus what went wrong in it: console errors, uncaught exceptions, failed requests."""

    page: Any
    base_url: str
    errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)

    def open(self, path: str) -> Any:
        response = self.page.goto(self.base_url + path)
        assert response is not None
        assert response.status < 400, f"{path}: HTTP {response.status}"
        return response

    def axe_violations(self) -> list[str]:
        """Run axe-core on the current page; each violation as 'rule: target … (help)'."""
        # Evaluated through the DevTools protocol rather than injected as a <script>: the pages' Content
        # Security Policy rightly refuses inline scripts, and the test must not weaken it.
        self.page.evaluate(AXE.read_text(encoding="utf-8"))
        result = self.page.evaluate(
            "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
            AXE_TAGS,
        )
        violations = []
        for violation in result["violations"]:
            targets = ", ".join(str(node["target"]) for node in violation["nodes"][:3])
            violations.append(f"{violation['id']}: {targets} ({violation['help']})")
        return violations


def axe_violations_of_snapshot(browser: Any, url: str, html: str) -> list[str]:
    """axe-core on a DOM captured from a page whose JavaScript was off.

    axe needs JavaScript itself, so the captured HTML is served again, at its own address (so
    that its stylesheet and font load as before), to a page where scripts run.
    """
    context = browser.new_context(viewport=PHONE, device_scale_factor=2)
    try:
        page = context.new_page()
        page.route(url, lambda route: route.fulfill(status=200, content_type="text/html; charset=utf-8", body=html))
        page.goto(url)
        return Tab(page=page, base_url="").axe_violations()
    finally:
        context.close()


def _open_tab(browser: Any, live_server: Any, **context_options: Any) -> Iterator[Tab]:
    context = browser.new_context(**context_options)
    # Pages come from a local server: anything slower than this is a failure, not a wait.
    context.set_default_timeout(10_000)
    page = context.new_page()
    tab = Tab(page=page, base_url=live_server.url)
    page.on("console", lambda message: message.type == "error" and tab.errors.append(f"console: {message.text}"))
    page.on("pageerror", lambda error: tab.errors.append(f"page error: {error}"))
    page.on("requestfailed", lambda request: tab.errors.append(f"request failed: {request.url}"))
    page.on("request", lambda request: tab.requests.append(request.url))
    page.on(
        "response",
        lambda response: response.status >= 400 and tab.errors.append(f"HTTP {response.status}: {response.url}"),
    )
    yield tab
    context.close()


@pytest.fixture
def phone(browser, live_server, catalogue) -> Iterator[Tab]:
    yield from _open_tab(browser, live_server, viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True)


@pytest.fixture
def narrow_phone(browser, live_server, catalogue) -> Iterator[Tab]:
    """The 320 CSS pixels WCAG 1.4.10 asks content to reflow into without scrolling sideways."""
    yield from _open_tab(browser, live_server, viewport={"width": 320, "height": 640}, device_scale_factor=2)


@pytest.fixture
def phone_without_javascript(browser, live_server, catalogue) -> Iterator[Tab]:
    yield from _open_tab(browser, live_server, viewport=PHONE, device_scale_factor=2, java_script_enabled=False)


# --- accounts (issue 4): sign-up on the live server, codes from its outbox, time under the test's control ---


@pytest.fixture
def accounts_site(transactional_db, settings) -> Iterator[None]:
    """The live server as sign-up needs it: the message templates (a transactional test empties every
    table), resend waits of one second so a test need not sit out 30 s, and an empty cache (rate limits)."""
    from django.core.cache import cache

    from bawaba.notifications.builtin_templates import install_builtin_templates

    install_builtin_templates()
    settings.BAWABA_CODE_RESEND_WAITS = [1]
    cache.clear()
    yield
    cache.clear()


class ShiftedClock:
    """Real time plus an offset the test moves (`clock.advance(hours=1)`), seen by the live server too: it
    runs in this process, and everything there asks `django.utils.timezone.now`. Real time keeps flowing,
    so a countdown in the browser and the server's clock agree."""

    def __init__(self, real_now: Any) -> None:
        self.real_now = real_now
        self.offset = dt.timedelta()

    def __call__(self) -> dt.datetime:
        return self.real_now() + self.offset

    def advance(self, **delta: float) -> None:
        self.offset += dt.timedelta(**delta)


@pytest.fixture
def clock(monkeypatch) -> ShiftedClock:
    from django.utils import timezone

    shifted = ShiftedClock(timezone.now)
    monkeypatch.setattr(timezone, "now", shifted)
    return shifted


class Outbox:
    """The live server's outbox file (settings.BAWABA_OUTBOX_FILE), read as the person's phone would show it."""

    def __init__(self, settings: Any) -> None:
        self.settings = settings

    def codes(self, *, to: str) -> list[str]:
        """Every one-time code sent to `to`, oldest first."""
        path = Path(self.settings.BAWABA_OUTBOX_FILE)
        if not path.exists():
            return []
        lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
        return [
            match.group(1)
            for line in lines
            if line["to"] == to and line.get("template") == "verification_code"
            if (match := re.search(r"(\d{6})", line["body"]))
        ]


@pytest.fixture
def outbox(settings) -> Outbox:
    return Outbox(settings)


class Phones:
    """Fresh browser contexts on a phone-sized screen, one per visit: closing one is closing the browser
    (its cookies are gone), as when a person comes back later."""

    def __init__(self, browser: Any, live_server: Any) -> None:
        self.browser = browser
        self.live_server = live_server
        self.open_tabs: dict[int, Iterator[Tab]] = {}

    def open(self, *, javascript: bool) -> Tab:
        tabs = _open_tab(
            self.browser,
            self.live_server,
            viewport=PHONE,
            device_scale_factor=2,
            is_mobile=True,
            has_touch=True,
            java_script_enabled=javascript,
        )
        tab = next(tabs)
        self.open_tabs[id(tab)] = tabs
        return tab

    def close(self, tab: Tab) -> None:
        next(self.open_tabs.pop(id(tab)), None)

    def close_all(self) -> None:
        for tabs in self.open_tabs.values():
            next(tabs, None)
        self.open_tabs.clear()


@pytest.fixture
def phones(browser, live_server, accounts_site) -> Iterator[Phones]:
    opened = Phones(browser, live_server)
    yield opened
    opened.close_all()
