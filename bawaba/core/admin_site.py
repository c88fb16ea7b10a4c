"""The admin site: Django's, with sign-in attempts limited per address and per account (ASVS 6.3.1)."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _

from bawaba.core.ratelimit import client_address, rate_limit_check

SIGN_IN_ATTEMPTS_PER_ADDRESS = 20
SIGN_IN_ATTEMPTS_PER_ACCOUNT = 10
SIGN_IN_WINDOW_SECONDS = 15 * 60


class BawabaAdminSite(admin.AdminSite):
    site_header = _("Bawaba administration")
    site_title = _("Bawaba administration")
    index_title = _("Catalogue and settings")

    def login(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        if request.method == "POST":
            # Per address slows a guesser; per account stops one spread over many addresses.
            rate_limit_check(
                scope="admin-sign-in-address",
                identity=client_address(request),
                limit=SIGN_IN_ATTEMPTS_PER_ADDRESS,
                window_seconds=SIGN_IN_WINDOW_SECONDS,
            )
            username = str(request.POST.get("username", "")).strip().lower()
            if username:
                rate_limit_check(
                    scope="admin-sign-in-account",
                    identity=username,
                    limit=SIGN_IN_ATTEMPTS_PER_ACCOUNT,
                    window_seconds=SIGN_IN_WINDOW_SECONDS,
                )
        return super().login(request, extra_context)
