"""Delivery receipts that HTTP gateways post back: POST /notifications/receipts/<provider>/.

A receipt is believed only with a valid `X-Bawaba-Signature: t=<unix>,v1=<hex>`, an HMAC-SHA256 over
"<t>.<raw body>" with the provider's receipt secret (see providers/http_gateway.py), at most five minutes
old. A signature already seen is answered 204 and not stored again, so a captured receipt cannot be
replayed inside that window either. Anything refused is logged without its body and changes nothing.
"""

from __future__ import annotations

import hashlib
import logging
import time

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt

from bawaba.core.errors import ApplicationError
from bawaba.core.ratelimit import RateLimited, client_address, rate_limit_check
from bawaba.notifications.providers.config import get_provider, provider_config
from bawaba.notifications.providers.http_gateway import (
    DEFAULT_RECEIPT_RATE_LIMIT,
    SIGNATURE_HEADER,
    SIGNATURE_MAX_AGE,
    SIGNATURE_MAX_AHEAD,
    HttpGatewayProvider,
    ReceiptNotFound,
)
from bawaba.notifications.receipts import record_receipt

logger = logging.getLogger(__name__)

MAX_RECEIPT_BYTES = 64 * 1024


class MethodNotAllowed(ApplicationError):
    code = "method_not_allowed"
    status = 405
    default_message = _("Receipts are sent with POST.")


class ReceiptTooLarge(ApplicationError):
    code = "too_large"
    status = 413
    default_message = _("The receipt is larger than any receipt should be.")


def _refuse(error: ApplicationError, provider: str, address: str) -> JsonResponse:
    logger.warning("Refused a delivery receipt for provider %s from %r: %s", provider, address, error.code)
    response = JsonResponse(error.as_dict(), status=error.status)
    if error.status == 405:
        response["Allow"] = "POST"
    return response


def _read_body(request: HttpRequest) -> bytes:
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > MAX_RECEIPT_BYTES:
        raise ReceiptTooLarge()
    body = request.read(MAX_RECEIPT_BYTES + 1)
    if len(body) > MAX_RECEIPT_BYTES:
        raise ReceiptTooLarge()
    return body


def _first_time_seen(provider: str, signature: str) -> bool:
    key = f"notifications:receipt-signature:{provider}:{hashlib.sha256(signature.encode()).hexdigest()[:40]}"
    try:
        return bool(cache.add(key, 1, timeout=SIGNATURE_MAX_AGE + SIGNATURE_MAX_AHEAD + 60))
    except Exception:
        # Without the cache a replay inside the five minutes is stored twice; applying it is idempotent.
        logger.warning("Receipt replay cache unavailable", exc_info=True)
        return True


@csrf_exempt
def http_receipt(request: HttpRequest, provider: str) -> HttpResponse:
    address = client_address(request)
    config = provider_config(provider)
    options = config.options if config is not None and config.kind == HttpGatewayProvider.kind else None
    try:
        if request.method != "POST":
            raise MethodNotAllowed()
        # Unknown names get a small allowance: nobody legitimate posts there.
        limit = int(options.get("receipt_rate_limit") or DEFAULT_RECEIPT_RATE_LIMIT) if options is not None else 60
        rate_limit_check(scope="notify-receipt", identity=f"{provider}|{address}", limit=limit, window_seconds=60)
        body = _read_body(request)
        gateway = get_provider(provider) if options is not None else None
        if not isinstance(gateway, HttpGatewayProvider):
            raise ReceiptNotFound()
        signature = gateway.verify_receipt_signature(request.headers.get(SIGNATURE_HEADER, ""), body, now=time.time())
        receipt = gateway.parse_receipt(body)
    except (ApplicationError, RateLimited) as error:
        return _refuse(error, provider, address)
    if _first_time_seen(provider, signature):
        record_receipt(
            provider=provider,
            provider_reference=receipt.reference,
            status=receipt.status,
            provider_status=receipt.provider_status,
            error_code=receipt.error_code,
            done_at=receipt.done_at,
            payload=receipt.payload,
        )
    else:
        logger.info("A delivery receipt for provider %s was sent again; already stored", provider)
    return HttpResponse(status=204)
