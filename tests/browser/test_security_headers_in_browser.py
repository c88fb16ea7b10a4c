"""The Content Security Policy leaves every page working: no blocked script, style or picture anywhere."""

import pytest

pytestmark = pytest.mark.browser


@pytest.mark.parametrize(
    "path",
    ["/ar/", "/en/services/national-id-card/", "/en/admin/login/", "/api/v1/docs"],
)
def test_pages_run_under_the_content_security_policy(phone, path):
    response = phone.open(path)
    assert "script-src 'self'" in response.headers["content-security-policy"]
    phone.page.wait_for_load_state("networkidle")
    assert phone.errors == []


def test_api_docs_render_the_endpoints(phone):
    phone.open("/api/v1/docs")
    phone.page.get_by_text("/api/v1/services/{slug}").first.wait_for(timeout=10_000)
    assert phone.errors == []
