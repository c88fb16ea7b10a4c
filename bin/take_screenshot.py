"""Take docs/screenshot.png: the Arabic guide to the national card on a phone, as the README shows it.

Run from the project root: `.venv/bin/python bin/take_screenshot.py` (needs Debian's chromium).
Serves the demo catalogue from a throwaway database, like bench/page_weight.py.
"""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.page_weight import CHROMIUM, CHROMIUM_ARGS, PHONE, demo_server  # noqa: E402

OUTPUT = ROOT / "docs" / "screenshot.png"
PAGE = "/ar/services/national-id-card/"


def main() -> int:
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with demo_server() as base_url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        context = browser.new_context(**{**PHONE, "device_scale_factor": 1.5})
        page = context.new_page()
        page.goto(base_url + PAGE, wait_until="networkidle")
        page.evaluate("document.fonts.ready")
        page.screenshot(path=str(OUTPUT))
        browser.close()
    sys.stdout.write(f"wrote {OUTPUT.relative_to(ROOT)}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
