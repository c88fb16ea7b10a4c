"""Values every page template needs."""

from typing import Any

from django.conf import settings
from django.http import HttpRequest


def site(request: HttpRequest) -> dict[str, Any]:
    return {
        "BAWABA_ENV": settings.BAWABA_ENV,
        "SHOW_DEMO_BANNER": getattr(settings, "BAWABA_DEMO", True),
    }
