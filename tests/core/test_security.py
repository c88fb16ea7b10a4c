"""Hardening that applies to every response and to signing in."""

import pytest
from django.core.cache import cache
from django.test import RequestFactory, override_settings

from bawaba.accounts.models import User
from bawaba.core.ratelimit import client_address


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/ar/", "/api/v1/services", "/healthz", "/en/admin/login/"])
def test_every_response_carries_the_security_headers(client, path):
    response = client.get(path)
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "script-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert "object-src 'none'" in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


@pytest.mark.django_db
def test_the_admin_sign_in_only_sends_people_to_the_staff_sign_in(client):
    """Passwords are no longer taken here: the staff sign-in (tests/accounts/staff) asks for a second factor."""
    User.objects.create_user(username="operator", password="a-long-correct-password", is_staff=True)

    response = client.post("/en/admin/login/", {"username": "operator", "password": "a-long-correct-password"})

    assert response.status_code == 302
    assert response["Location"].startswith("/en/staff/sign-in/")
    assert "_auth_user_id" not in client.session


def test_sessions_expire_after_two_idle_hours(settings):
    assert settings.SESSION_COOKIE_AGE == 7200
    assert settings.SESSION_SAVE_EVERY_REQUEST is True


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "203.0.113.9", "10.0.0.5"),
        (1, "203.0.113.9", "203.0.113.9"),
        (1, "1.2.3.4, 203.0.113.9", "203.0.113.9"),
        (2, "1.2.3.4, 203.0.113.9, 10.0.0.2", "203.0.113.9"),
        (2, "203.0.113.9", "10.0.0.5"),
        (1, "", "10.0.0.5"),
    ],
)
def test_client_address_trusts_only_the_configured_proxies(proxies, forwarded, expected):
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR=forwarded)
    with override_settings(BAWABA_TRUSTED_PROXIES=proxies):
        assert client_address(request) == expected
