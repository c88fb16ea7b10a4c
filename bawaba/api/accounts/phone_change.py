"""Changing the mobile number from the app: start, state, resend, verify; and confirming it is you first.

Authenticated by the session cookie for now (django-ninja's session auth, CSRF enforced: send the `csrftoken`
cookie's value in the `X-CSRFToken` header, and a Referer on HTTPS). Bearer tokens arrive with OpenID Connect
(issue 5). Starting a change and proving its code need a sign-in or a `POST /accounts/reauthenticate`
(password, and the second factor's code when the account has one) within the last BAWABA_REAUTH_SECONDS.

The ticket travels in the `X-Verification-Ticket` header (or a POST body's `ticket`), never in a URL. Every
answer is the same whether or not the new number belongs to another account, until its code is proved.
"""

from __future__ import annotations

from typing import Any, Literal

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from ninja import Field, Header, Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.security import SessionAuth

from bawaba.accounts.errors import ReauthenticationRequired
from bawaba.accounts.models import User
from bawaba.accounts.phone_change.services import (
    phone_change_resend,
    phone_change_start,
    phone_change_ticket_get,
    phone_change_verify,
)
from bawaba.accounts.sessions.errors import CsrfFailed, NotAuthenticated
from bawaba.accounts.sessions.reauth import is_recently_authenticated, reauthenticate
from bawaba.accounts.verification.selectors import phone_masked, verification_state
from bawaba.accounts.verification.web import state_as_dict
from bawaba.api.accounts.common import (
    RETRY_AFTER_DOC,
    TICKET_HEADER,
    TICKET_MAX_LENGTH,
    Language,
    answer,
    ticket_from,
)
from bawaba.api.schemas import Error
from bawaba.core.ratelimit import client_address

TICKET_DOC = f"The ticket from the start: in the {TICKET_HEADER} header (preferred) or the body's `ticket`."
# The wait a 429 announces when its error does not say one.
PHONE_CHANGE_RETRY_AFTER = 60


class SessionCookieAuth(SessionAuth):
    """django-ninja's session auth, answering in the API's error shape: `csrf_failed`, `not_authenticated`."""

    def _get_key(self, request: HttpRequest) -> str | None:
        try:
            return super()._get_key(request)
        except HttpError as error:
            raise CsrfFailed() from error

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        if request.user.is_authenticated:
            return request.user
        raise NotAuthenticated()


router = Router(tags=["Accounts"], auth=SessionCookieAuth())
ERRORS: dict[int, type[Error]] = {code: Error for code in (400, 401, 403, 404, 409, 429)}


class PhoneChangeDelivery(Schema):
    code: Literal["sending", "sent", "delivered", "not_delivered"]
    label: str = Field(description="The same, in plain words")
    advice: str = Field(description="What the person can do now")


class PhoneChangeState(Schema):
    phone_masked: str = Field(examples=["+964 780 ••• 6543"], description="The new number, partly hidden")
    is_verified: bool
    is_locked: bool = Field(
        description="Too many wrong codes: this ticket (or, past the ceiling, the whole verification) may neither "
        "check nor ask for codes until `attempts_wait` seconds have passed"
    )
    code_sent: bool = Field(description="A code that still works is on its way or has arrived")
    code_expires_in: int = Field(ge=0, description="Seconds the latest code still works")
    resend_in: int = Field(ge=0, description="Seconds until another code may be asked for; 0 = now")
    codes_left_this_hour: int = Field(ge=0)
    attempts_wait: int = Field(ge=0, description="Seconds until a code may be tried again after wrong ones")
    delivery: PhoneChangeDelivery | None = Field(description="Where the latest code is; null before the first")
    alternatives: list[Literal["sms_other", "voice", "whatsapp", "service_centre"]]


class PhoneChangeStarted(Schema):
    ticket: str = Field(description="Keep it for the next calls; it is shown only once")
    verification: PhoneChangeState


class PhoneChanged(Schema):
    status: Literal["changed"]
    phone_masked: str = Field(description="The account's number now, partly hidden")
    other_sessions_ended: int = Field(ge=0, description="Sessions signed out on other devices")


class Reauthenticated(Schema):
    valid_for: int = Field(description="Seconds during which sensitive changes are allowed without asking again")


class ReauthenticateIn(Schema):
    password: str = Field(max_length=4096)
    code: str = Field("", max_length=32, description="The second factor's code, when the account has one")
    lang: Language = "ar"


class PhoneChangeIn(Schema):
    phone: str = Field(max_length=32, examples=["0780 987 6543"], description="The new Iraqi mobile number")
    lang: Language = Field("ar", description="Language of the SMS and of the messages")


class PhoneChangeResendIn(Schema):
    ticket: str | None = Field(None, max_length=TICKET_MAX_LENGTH, description=TICKET_DOC)
    channel: Literal["sms", "sms_other", "voice", "whatsapp"] = "sms"
    lang: Language = "ar"


class PhoneChangeVerifyIn(Schema):
    ticket: str | None = Field(None, max_length=TICKET_MAX_LENGTH, description=TICKET_DOC)
    code: str = Field(max_length=32, description="The 6 digits sent to the new number")
    lang: Language = "ar"


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # noqa: S101 - the router's auth lets only signed-in people through
    return user


def _recently_authenticated(request: HttpRequest) -> None:
    if not is_recently_authenticated(request):
        raise ReauthenticationRequired()


def _state(request: HttpRequest, ticket: str) -> dict[str, Any]:
    found = phone_change_ticket_get(ticket=ticket, user=_user(request))
    return state_as_dict(verification_state(verification=found.verification, ticket=found))


@router.post(
    "/reauthenticate",
    response={200: Reauthenticated, **ERRORS},
    summary="Confirm it is you before a sensitive change",
    description="Errors: `reauthentication_failed`, `rate_limited`.",
    openapi_extra=RETRY_AFTER_DOC,
)
def reauthenticate_post(request: HttpRequest, response: HttpResponse, payload: ReauthenticateIn) -> Any:
    def work() -> Status[Any]:
        reauthenticate(request=request, user=_user(request), password=payload.password, code=payload.code)
        return Status(200, {"valid_for": settings.BAWABA_REAUTH_SECONDS})

    return answer(response, payload.lang, work, retry_after_default=PHONE_CHANGE_RETRY_AFTER)


@router.post(
    "/phone-change",
    response={202: PhoneChangeStarted, **ERRORS},
    summary="Start changing the mobile number (or resume it) and send a code to the new one",
    description="Errors: `invalid_phone`, `not_iraqi_mobile`, `phone_unchanged`, `reauthentication_required`, "
    "`rate_limited`.",
    openapi_extra=RETRY_AFTER_DOC,
)
def phone_change_post(request: HttpRequest, response: HttpResponse, payload: PhoneChangeIn) -> Any:
    def work() -> Status[Any]:
        _recently_authenticated(request)
        started = phone_change_start(
            user=_user(request), phone=payload.phone, client_address=client_address(request), language=payload.lang
        )
        return Status(202, {"ticket": started.ticket, "verification": _state(request, started.ticket)})

    return answer(response, payload.lang, work, retry_after_default=PHONE_CHANGE_RETRY_AFTER)


@router.get(
    "/phone-change",
    response={200: PhoneChangeState, **ERRORS},
    summary="Where the code to the new number is, and when another may be asked for",
    description="Errors: `verification_not_found` (the change ended: start again, which resumes).",
)
def phone_change_get(
    request: HttpRequest,
    response: HttpResponse,
    ticket: str | None = Header(None, alias=TICKET_HEADER, max_length=TICKET_MAX_LENGTH, description=TICKET_DOC),
    lang: Language = Query("ar"),
) -> Any:
    return answer(
        response,
        lang,
        lambda: Status(200, _state(request, ticket_from(ticket))),
        retry_after_default=PHONE_CHANGE_RETRY_AFTER,
    )


@router.post(
    "/phone-change/resend",
    response={200: PhoneChangeState, **ERRORS},
    summary="Send another code to the new number, by SMS or an alternative",
    description="Errors: `resend_not_yet`, `code_limit_reached`, `too_many_attempts`, `channel_unavailable`, "
    "`verification_not_found`.",
    openapi_extra=RETRY_AFTER_DOC,
)
def phone_change_resend_post(
    request: HttpRequest,
    response: HttpResponse,
    payload: PhoneChangeResendIn,
    ticket: str | None = Header(None, alias=TICKET_HEADER, max_length=TICKET_MAX_LENGTH),
) -> Any:
    def work() -> Status[Any]:
        held = ticket_from(ticket, payload.ticket)
        phone_change_resend(
            user=_user(request),
            ticket=held,
            channel=payload.channel,
            client_address=client_address(request),
            language=payload.lang,
        )
        return Status(200, _state(request, held))

    return answer(response, payload.lang, work, retry_after_default=PHONE_CHANGE_RETRY_AFTER)


@router.post(
    "/phone-change/verify",
    response={200: PhoneChanged, **ERRORS},
    summary="Prove the new number with its code; the account then uses it",
    description="The old number is told by SMS, and every other session is signed out (this one stays). "
    "Errors: `code_invalid`, `code_expired`, `too_many_attempts`, `verification_not_found`, "
    "`reauthentication_required`, and `phone_number_taken` (409) when the proved number belongs to another "
    "account: nothing changes then.",
    openapi_extra=RETRY_AFTER_DOC,
)
def phone_change_verify_post(
    request: HttpRequest,
    response: HttpResponse,
    payload: PhoneChangeVerifyIn,
    ticket: str | None = Header(None, alias=TICKET_HEADER, max_length=TICKET_MAX_LENGTH),
) -> Any:
    def work() -> Status[Any]:
        _recently_authenticated(request)
        changed = phone_change_verify(
            user=_user(request),
            ticket=ticket_from(ticket, payload.ticket),
            code=payload.code,
            keep_session_key=request.session.session_key,
        )
        return Status(
            200,
            {
                "status": "changed",
                "phone_masked": phone_masked(changed.user.phone or ""),
                "other_sessions_ended": changed.sessions_ended,
            },
        )

    return answer(response, payload.lang, work, retry_after_default=PHONE_CHANGE_RETRY_AFTER)
