"""Sign-up and the verification it waits for: start, status, resend, verify.

The ticket travels in the `X-Verification-Ticket` header or the JSON body, never in a URL path, so it does
not end up in access logs. A number that already has an account is answered exactly like a new one.
"""

from __future__ import annotations

from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from ninja import Field, Header, Query, Router, Schema
from ninja.responses import Status

from bawaba.accounts.signup.services import SIGNUP_PURPOSES, signup_complete, signup_start
from bawaba.accounts.verification.limits import start_rate_limit_check
from bawaba.accounts.verification.selectors import verification_state, verification_ticket_get
from bawaba.accounts.verification.services import verification_resend
from bawaba.accounts.verification.web import state_as_dict
from bawaba.api.accounts.common import (
    RETRY_AFTER_DOC,
    TICKET_HEADER,
    TICKET_MAX_LENGTH,
    Language,
    answer,
    body_must_be_json,
    ticket_from,
)
from bawaba.api.schemas import Error
from bawaba.core.ratelimit import client_address

router = Router(tags=["Accounts"])

# The wait a 429 announces when its error does not say one: an hour, for sign-up and recovery.
SIGNUP_RETRY_AFTER = 3600
TICKET_DOC = f"The ticket from the start of the flow: in the {TICKET_HEADER} header (preferred) or the body's `ticket`."


class Delivery(Schema):
    code: Literal["sending", "sent", "delivered", "not_delivered"] = Field(
        description="sending, sent (the operator has it), delivered (the phone has it), not_delivered"
    )
    label: str = Field(description="The same, in plain words in the requested language")
    advice: str = Field(description="What the person can do now")


class VerificationState(Schema):
    phone_masked: str = Field(examples=["+964 770 ••• 4567"])
    is_verified: bool = Field(description="This ticket proved the code")
    is_locked: bool = Field(
        description="Too many wrong codes: this ticket (or, past the ceiling, the whole verification) may neither "
        "check nor ask for codes until `attempts_wait` seconds have passed"
    )
    code_sent: bool = Field(description="A code that still works is on its way or has arrived")
    code_expires_in: int = Field(ge=0, description="Seconds the latest code still works")
    resend_in: int = Field(ge=0, description="Seconds until another code may be asked for; 0 = now")
    codes_left_this_hour: int = Field(ge=0)
    attempts_wait: int = Field(ge=0, description="Seconds until a code may be tried again after wrong ones")
    delivery: Delivery | None = Field(description="Where the latest code is; null before the first one")
    alternatives: list[Literal["sms_other", "voice", "whatsapp", "service_centre"]] = Field(
        description="Other ways the operator offers: resend with channel sms_other, voice or whatsapp; "
        "or verify in person at a service centre"
    )


class Started(Schema):
    ticket: str = Field(description="Keep it for the next calls; it is shown only once")
    verification: VerificationState


class SignupIn(Schema):
    phone: str = Field(max_length=32, examples=["0770 123 4567"], description="An Iraqi mobile number, any format")
    full_name: str = Field(max_length=200)
    password: str = Field(max_length=4096, description="At least 8 characters, not a common password")
    lang: Language = Field("ar", description="Language of the SMS and of the messages")


class ResendIn(Schema):
    ticket: str | None = Field(None, max_length=TICKET_MAX_LENGTH, description=TICKET_DOC)
    channel: Literal["sms", "sms_other", "voice", "whatsapp"] = Field(
        "sms", description="sms, or one of the alternatives the state lists"
    )
    lang: Language = "ar"


class VerifyIn(Schema):
    ticket: str | None = Field(None, max_length=TICKET_MAX_LENGTH, description=TICKET_DOC)
    code: str = Field(max_length=32, description="The 6 digits; spaces and Eastern Arabic digits are fine")
    lang: Language = "ar"


class Verified(Schema):
    status: Literal["verified"]
    next: Literal["sign_in", "set_password", "sign_up"] = Field(
        description="sign_in: the new account is ready, sign in with the number and password. "
        "set_password: the number already has an account; sign in, or set a new password with "
        "POST recovery/password and this ticket. sign_up: no account has this number"
    )


router.add_decorator(body_must_be_json, mode="view")


def state_out(found: Any) -> dict[str, Any]:
    return state_as_dict(verification_state(verification=found.verification, ticket=found))


@router.post(
    "/signup",
    response={202: Started, 400: Error, 429: Error},
    summary="Start a sign-up (or resume it) and send a code",
    openapi_extra=RETRY_AFTER_DOC,
)
def signup(request: HttpRequest, response: HttpResponse, payload: SignupIn) -> Any:
    def work() -> Status[Any]:
        start_rate_limit_check(client_address=client_address(request))
        started = signup_start(
            phone=payload.phone,
            full_name=payload.full_name,
            password=payload.password,
            language=payload.lang,
            client_address=client_address(request),
        )
        found = verification_ticket_get(ticket=started.ticket)
        return Status(202, {"ticket": started.ticket, "verification": state_out(found)})

    return answer(response, payload.lang, work, retry_after_default=SIGNUP_RETRY_AFTER)


@router.get(
    "/verification",
    response={200: VerificationState, 400: Error, 404: Error},
    summary="Where the code is, and when another may be asked for",
)
def verification_get(
    request: HttpRequest,
    response: HttpResponse,
    ticket_header: str | None = Header(None, alias=TICKET_HEADER, max_length=TICKET_MAX_LENGTH, description=TICKET_DOC),
    ticket: str | None = Query(
        None, max_length=TICKET_MAX_LENGTH, description=f"Only for clients that cannot send {TICKET_HEADER}"
    ),
    lang: Language = Query("ar"),
) -> Any:
    def work() -> Status[Any]:
        found = verification_ticket_get(ticket=ticket_from(ticket_header, ticket), purposes=SIGNUP_PURPOSES)
        return Status(200, state_out(found))

    return answer(response, lang, work, retry_after_default=SIGNUP_RETRY_AFTER)


@router.post(
    "/verification/resend",
    response={200: VerificationState, 400: Error, 404: Error, 429: Error},
    summary="Send another code, by SMS or an alternative",
    openapi_extra=RETRY_AFTER_DOC,
)
def verification_resend_post(
    request: HttpRequest,
    response: HttpResponse,
    payload: ResendIn,
    ticket_header: str | None = Header(None, alias=TICKET_HEADER, max_length=TICKET_MAX_LENGTH),
) -> Any:
    def work() -> Status[Any]:
        ticket = ticket_from(ticket_header, payload.ticket)
        verification_resend(
            ticket=ticket,
            channel=payload.channel,
            client_address=client_address(request),
            language=payload.lang,
            purposes=SIGNUP_PURPOSES,
        )
        return Status(200, state_out(verification_ticket_get(ticket=ticket, purposes=SIGNUP_PURPOSES)))

    return answer(response, payload.lang, work, retry_after_default=SIGNUP_RETRY_AFTER)


@router.post(
    "/verification/verify",
    response={200: Verified, 400: Error, 404: Error, 429: Error},
    summary="Prove the number with a code (sign-up and recovery tickets)",
    openapi_extra=RETRY_AFTER_DOC,
)
def verification_verify(
    request: HttpRequest,
    response: HttpResponse,
    payload: VerifyIn,
    ticket_header: str | None = Header(None, alias=TICKET_HEADER, max_length=TICKET_MAX_LENGTH),
) -> Any:
    def work() -> Status[Any]:
        proved = signup_complete(ticket=ticket_from(ticket_header, payload.ticket), code=payload.code)
        return Status(200, {"status": "verified", "next": proved.next})

    return answer(response, payload.lang, work, retry_after_default=SIGNUP_RETRY_AFTER)
