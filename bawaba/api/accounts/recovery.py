"""Account recovery: a code to the number (POST recovery), proved with POST verification/verify, then a new
password (POST recovery/password). A number with no account gets the same answer and a code too."""

from __future__ import annotations

from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from ninja import Field, Header, Router, Schema
from ninja.responses import Status

from bawaba.accounts.recovery.services import recovery_password_set, recovery_start
from bawaba.accounts.verification.limits import start_rate_limit_check
from bawaba.accounts.verification.selectors import verification_ticket_get
from bawaba.api.accounts.common import (
    RETRY_AFTER_DOC,
    TICKET_HEADER,
    TICKET_MAX_LENGTH,
    Language,
    answer,
    body_must_be_json,
    ticket_from,
)
from bawaba.api.accounts.signup import SIGNUP_RETRY_AFTER, TICKET_DOC, Started, state_out
from bawaba.api.schemas import Error
from bawaba.core.ratelimit import client_address

router = Router(tags=["Accounts"])
router.add_decorator(body_must_be_json, mode="view")


class RecoveryIn(Schema):
    phone: str = Field(max_length=32, examples=["0770 123 4567"])
    lang: Language = Field("ar", description="Language of the SMS and of the messages")


class RecoveryPasswordIn(Schema):
    ticket: str | None = Field(None, max_length=TICKET_MAX_LENGTH, description=TICKET_DOC)
    password: str = Field(max_length=4096, description="The new password: at least 8 characters, not a common one")
    second_factor_code: str = Field(
        "",
        max_length=64,
        description="Required when the account has a second factor: the authenticator's code or a recovery code "
        "(the answer's code is second_factor_required without it, second_factor_invalid when wrong)",
    )
    lang: Language = "ar"


class PasswordSet(Schema):
    status: Literal["password_set"]
    next: Literal["sign_in"]


@router.post(
    "/recovery",
    response={202: Started, 400: Error, 429: Error},
    summary="Forgot the password: send a code to the number",
    openapi_extra=RETRY_AFTER_DOC,
)
def recovery(request: HttpRequest, response: HttpResponse, payload: RecoveryIn) -> Any:
    def work() -> Status[Any]:
        start_rate_limit_check(client_address=client_address(request))
        started = recovery_start(phone=payload.phone, language=payload.lang, client_address=client_address(request))
        found = verification_ticket_get(ticket=started.ticket)
        return Status(202, {"ticket": started.ticket, "verification": state_out(found)})

    return answer(response, payload.lang, work, retry_after_default=SIGNUP_RETRY_AFTER)


@router.post(
    "/recovery/password",
    response={200: PasswordSet, 400: Error, 404: Error, 429: Error},
    summary="Set a new password with a proved recovery ticket (once, within 15 minutes)",
    description="Every session of the account ends and the number gets an SMS saying the password changed. "
    "The API has no session sign-in yet: sign in with the number and the new password.",
    openapi_extra=RETRY_AFTER_DOC,
)
def recovery_password(
    request: HttpRequest,
    response: HttpResponse,
    payload: RecoveryPasswordIn,
    ticket_header: str | None = Header(None, alias=TICKET_HEADER, max_length=TICKET_MAX_LENGTH),
) -> Any:
    def work() -> Status[Any]:
        recovery_password_set(
            ticket=ticket_from(ticket_header, payload.ticket),
            password=payload.password,
            second_factor_code=payload.second_factor_code,
        )
        return Status(200, {"status": "password_set", "next": "sign_in"})

    return answer(response, payload.lang, work, retry_after_default=SIGNUP_RETRY_AFTER)
