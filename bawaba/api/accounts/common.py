"""What the accounts endpoints share: the ticket header, the language parameter, and the error answer."""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import wraps
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import translation
from django.utils.translation import gettext as _
from ninja.responses import Status

from bawaba.accounts.errors import VerificationNotFound
from bawaba.core.errors import ApplicationError, ValidationFailed
from bawaba.core.i18n import CONTENT_LANGUAGES

Language = Literal["ar", "ckb", "en"]
TICKET_HEADER = "X-Verification-Ticket"
TICKET_MAX_LENGTH = 128

# 429 answers say in Retry-After how many seconds to wait (RFC 9110 10.2.3).
RETRY_AFTER_DOC: dict[str, Any] = {
    "responses": {
        429: {
            "description": "Too soon or too many: wait the number of seconds in Retry-After.",
            "headers": {
                "Retry-After": {
                    "description": "Seconds to wait before trying again.",
                    "schema": {"type": "integer", "minimum": 1},
                }
            },
        }
    }
}


def body_must_be_json(run: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A body that is not JSON gets the API's usual error shape; ninja's own answer would be {"detail": ...}."""

    @wraps(run)
    def checked(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.body:
            try:
                json.loads(request.body)
            except ValueError:
                with translation.override(_query_language(request)):
                    body = ValidationFailed(_("The request body must be a JSON object.")).as_dict()
                return JsonResponse(body, status=400)
        return run(request, *args, **kwargs)

    return checked


def _query_language(request: HttpRequest) -> str:
    language = request.GET.get("lang", "ar")
    return language if language in CONTENT_LANGUAGES else "ar"


def ticket_from(header: str | None, *others: str | None) -> str:
    """The ticket from the header, else from the first other place that has one."""
    for candidate in (header, *others):
        if candidate:
            return candidate
    raise VerificationNotFound()


def answer(
    response: HttpResponse, lang: str, call: Callable[[], Status[Any]], *, retry_after_default: int
) -> Status[Any]:
    """Run an endpoint's work in `lang`; an error becomes {"code", "message", "fields"}, with Retry-After on 429.

    `retry_after_default` is the wait announced when a 429 does not say its own.
    """
    try:
        with translation.override(lang):
            return call()
    except ApplicationError as error:
        with translation.override(lang):
            body = error.as_dict()
        if error.status == 429:
            response["Retry-After"] = str(max(1, int(error.data.get("retry_after") or retry_after_default)))
        return Status(error.status, body)
