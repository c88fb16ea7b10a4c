"""How much a first visit to the key pages costs a phone: every resource fetched, gzip-compressed, added up.

    .venv/bin/python bench/page_weight.py                  # demo catalogue, throwaway database
    .venv/bin/python bench/page_weight.py --base-url http://127.0.0.1:8000   # a server you run

Each page is opened in a fresh browser context (empty cache, as on a first visit) in headless Chromium
sized like a cheap Android phone (360×740 CSS pixels, device pixel ratio 2), waits until the network
is idle, and adds up every response body, each compressed with gzip as the server would send it
(already-compressed fonts and pictures are counted after gzip too, which slightly overstates them).
The budget is 60 KB per page (issue 2): HTML, CSS, fonts, pictures and scripts together.
"""

import argparse
import gzip
import io
import os
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
BUDGET_BYTES = 60 * 1024
CHROMIUM = Path(os.environ.get("BAWABA_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
SEARCH_QUERIES = {"ar": "جواز", "ckb": "پاسپۆرت", "en": "passport"}
PHONE = {"viewport": {"width": 360, "height": 740}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}


@dataclass
class Resource:
    url: str
    content_type: str
    raw_bytes: int
    gzip_bytes: int


@dataclass
class PageWeight:
    name: str
    path: str
    resources: list[Resource] = field(default_factory=list)

    @property
    def gzip_bytes(self) -> int:
        return sum(resource.gzip_bytes for resource in self.resources)

    @property
    def raw_bytes(self) -> int:
        return sum(resource.raw_bytes for resource in self.resources)

    @property
    def is_within_budget(self) -> bool:
        return self.gzip_bytes <= BUDGET_BYTES


def measure_page(browser: Any, base_url: str, name: str, path: str) -> PageWeight:
    """Open one page as a first-time visitor would and weigh everything it fetched."""
    context = browser.new_context(**PHONE)
    try:
        page = context.new_page()
        responses: list[Any] = []
        page.on("response", lambda response: responses.append(response))
        page.goto(base_url + path, wait_until="networkidle")
        weight = PageWeight(name=name, path=path)
        for response in responses:
            if response.url.startswith("data:") or response.status in (204, 304) or 300 <= response.status < 400:
                continue
            body = response.body()
            weight.resources.append(
                Resource(
                    url=response.url.removeprefix(base_url),
                    content_type=response.headers.get("content-type", "").split(";")[0],
                    raw_bytes=len(body),
                    gzip_bytes=len(gzip.compress(body, compresslevel=6, mtime=0)),
                )
            )
        return weight
    finally:
        context.close()


def measure(browser: Any, base_url: str, pages: list[tuple[str, str]]) -> list[PageWeight]:
    return [measure_page(browser, base_url, name, path) for name, path in pages]


def report(weights: list[PageWeight]) -> str:
    lines = [f"{'page':<22} {'requests':>8} {'raw KB':>8} {'gzip KB':>8}  budget {BUDGET_BYTES / 1024:.0f} KB"]
    for weight in weights:
        verdict = "ok" if weight.is_within_budget else "OVER"
        lines.append(
            f"{weight.name:<22} {len(weight.resources):>8} {weight.raw_bytes / 1024:>8.1f} "
            f"{weight.gzip_bytes / 1024:>8.1f}  {verdict}  {weight.path}"
        )
        for resource in weight.resources:
            lines.append(f"{'':<4}{resource.gzip_bytes / 1024:>6.1f} KB  {resource.content_type:<16} {resource.url}")
    return "\n".join(lines)


def key_pages(language: str = "ar") -> list[tuple[str, str]]:
    """The four pages of the budget, for the demo catalogue (needs Django set up)."""
    from bawaba.catalog.models import Service

    services = Service.objects.filter(is_published=True).select_related("department")
    service = services.filter(slug="national-id-card").first() or services.order_by("-popularity").first()
    if service is None:
        raise SystemExit("the catalogue is empty: load the demo data first (manage.py load_demo)")
    query = SEARCH_QUERIES[language]
    return [
        ("home", f"/{language}/"),
        ("department", f"/{language}/departments/{service.department.slug}/"),
        ("service", f"/{language}/services/{service.slug}/"),
        ("search results", f"/{language}/search/?q={quote(query)}"),
    ]


@contextmanager
def demo_server() -> Iterator[str]:
    """Serve the demo catalogue from a throwaway database on a free loopback port."""
    with tempfile.TemporaryDirectory(prefix="bawaba-bench-") as var_dir:
        os.environ["BAWABA_VAR_DIR"] = var_dir
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
        sys.path.insert(0, str(ROOT))
        import django

        django.setup()
        from django.contrib.staticfiles.handlers import StaticFilesHandler
        from django.core.management import call_command
        from django.test.testcases import LiveServerThread

        call_command("migrate", verbosity=0, interactive=False)
        call_command("load_demo", verbosity=0, stdout=io.StringIO())
        server = LiveServerThread("127.0.0.1", StaticFilesHandler, port=0)
        server.daemon = True
        server.start()
        server.is_ready.wait()
        if server.error:
            raise server.error
        try:
            yield f"http://127.0.0.1:{server.port}"
        finally:
            server.terminate()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-url", help="measure a running server instead of the demo catalogue")
    parser.add_argument("--language", default="ar", choices=["ar", "ckb", "en"])
    parser.add_argument("--service", default="national-id-card", help="service slug, with --base-url")
    parser.add_argument("--department", default="interior", help="department slug, with --base-url")
    arguments = parser.parse_args()
    if not CHROMIUM.exists():
        sys.stderr.write(f"Chromium not found at {CHROMIUM} (apt-get install chromium)\n")
        return 2
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # the catalogue is read before Playwright starts its loop
    from playwright.sync_api import sync_playwright

    with (
        demo_server() if arguments.base_url is None else _given(arguments.base_url) as base_url,
        sync_playwright() as playwright,
    ):
        if arguments.base_url is None:
            pages = key_pages(arguments.language)
        else:
            language = arguments.language
            pages = [
                ("home", f"/{language}/"),
                ("department", f"/{language}/departments/{arguments.department}/"),
                ("service", f"/{language}/services/{arguments.service}/"),
                ("search results", f"/{language}/search/?q={quote(SEARCH_QUERIES[language])}"),
            ]
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            weights = measure(browser, base_url, pages)
        finally:
            browser.close()
    print(report(weights))
    return 0 if all(weight.is_within_budget for weight in weights) else 1


@contextmanager
def _given(base_url: str) -> Iterator[str]:
    yield base_url.rstrip("/")


if __name__ == "__main__":
    sys.exit(main())
