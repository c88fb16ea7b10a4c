"""Fixed-window rate limits kept in the cache (Redis in production), for anti-automation (ASVS V2.4).

If the cache is down, requests are allowed: a lost Redis must not stop citizens from using the portal.
"""

import hashlib
import logging

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from bawaba.core.errors import ApplicationError

logger = logging.getLogger(__name__)


class RateLimited(ApplicationError):
    code = "rate_limited"
    status = 429
    default_message = _("Too many attempts. Please wait a little and try again.")


def client_address(request: HttpRequest) -> str:
    """The client's address. Behind N trusted proxies (BAWABA_TRUSTED_PROXIES=N), the address the outermost
    of them saw, read from X-Forwarded-For counting from the right, because entries further left are whatever
    the client chose to send. Without proxies, the socket's address."""
    proxies = settings.BAWABA_TRUSTED_PROXIES
    if proxies > 0:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return str(request.META.get("REMOTE_ADDR", "unknown"))


def rate_limit_check(*, scope: str, identity: str, limit: int, window_seconds: int) -> None:
    """Count one attempt by `identity` in `scope`; raise RateLimited once `limit` is passed within the window."""
    digest = hashlib.sha256(identity.encode()).hexdigest()[:32]
    key = f"ratelimit:{scope}:{digest}"
    try:
        if cache.add(key, 1, timeout=window_seconds):
            return
        count = cache.incr(key)
    except Exception:
        logger.warning("rate limit cache unavailable; allowing %s", scope, exc_info=True)
        return
    if count > limit:
        raise RateLimited()
