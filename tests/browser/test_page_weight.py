"""The 60 KB budget of issue 2: a first visit to the key pages, everything fetched, gzip-compressed."""

from urllib.parse import quote

import pytest

from bench.page_weight import BUDGET_BYTES, measure, report
from tests.browser.data import DEPARTMENT_SLUG, GUIDE_SLUG, SEARCH_WORD

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("language", ["ar", "ckb", "en"])
def test_key_pages_weigh_at_most_60_kb_on_a_first_visit(browser, live_server, catalogue, language):
    pages = [
        ("home", f"/{language}/"),
        ("department", f"/{language}/departments/{DEPARTMENT_SLUG}/"),
        ("service", f"/{language}/services/{GUIDE_SLUG}/"),
        ("search results", f"/{language}/search/?q={quote(SEARCH_WORD[language])}"),
    ]
    weights = measure(browser, live_server.url, pages)
    figures = report(weights)
    # The guide page must have fetched its picture and poster, or the figure would flatter it.
    service = weights[2]
    assert any(resource.url.endswith(".webp") for resource in service.resources), figures
    assert any(resource.url.endswith(".woff2") for resource in service.resources), figures
    for weight in weights:
        assert weight.gzip_bytes <= BUDGET_BYTES, figures
