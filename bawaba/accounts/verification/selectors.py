"""Reads about verifications: the ticket a client holds, what its waiting page shows, and where to verify in person."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Collection
from dataclasses import dataclass

import phonenumbers
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from bawaba.accounts.constants import CodeChannel, VerificationStatus
from bawaba.accounts.errors import VerificationNotFound
from bawaba.accounts.models import PhoneVerification, VerificationCode, VerificationTicket
from bawaba.accounts.verification import limits
from bawaba.accounts.verification.codes import ticket_digest
from bawaba.accounts.verification.places import GOVERNORATE_SEATS, distance_km
from bawaba.catalog import selectors as catalog_selectors
from bawaba.catalog.models import Governorate, Office
from bawaba.core.errors import NotFound
from bawaba.core.i18n import localized
from bawaba.notifications.models import Message
from bawaba.notifications.selectors import channel_available, provider_count, public_status

# The catalogue service whose offices verify a number in person (setting BAWABA_VERIFICATION_SERVICE).
DEFAULT_VERIFICATION_SERVICE = "bawaba-account-verification"
# Tickets longer than this are not ours: refuse before hashing whatever a client sent.
TICKET_MAX_LENGTH = 128
# What the waiting page may offer, in the order it offers them.
ALTERNATIVES = ("sms_other", "voice", "whatsapp", "service_centre")


@dataclass(frozen=True)
class Delivery:
    code: str  # sending, sent, delivered, not_delivered (bawaba.notifications.selectors.PUBLIC_STATUSES)
    label: str
    advice: str


@dataclass(frozen=True)
class VerificationState:
    """What a person waiting for a code is shown. The same shape whatever the number's history, so it tells
    nobody whether the number has an account."""

    phone_masked: str
    is_verified: bool
    is_locked: bool
    code_sent: bool  # a code that can still be used is on its way
    code_expires_in: int  # seconds the latest code still works
    resend_in: int  # seconds until another code may be sent; 0 = now
    codes_left_this_hour: int
    attempts_wait: int  # seconds until a code may be tried again; 0 = now
    delivery: Delivery | None
    alternatives: tuple[str, ...]


@dataclass(frozen=True)
class ServiceCentre:
    name: str
    address: str
    opening_hours: str
    phone: str
    governorate: str
    in_chosen_governorate: bool
    distance_km: int | None


def phone_masked(phone: str) -> str:
    """'+9647701234567' → '+964 770 ••• 4567': enough to recognise one's own number, not to read someone else's."""
    try:
        number = phonenumbers.parse(phone, None)
    except phonenumbers.NumberParseException:
        return "•••"
    national = str(number.national_number)
    return f"+{number.country_code} {national[:3]} ••• {national[-4:]}"


def verification_ticket_get(
    *, ticket: str, purposes: Collection[str] | None = None, now: dt.datetime | None = None
) -> VerificationTicket:
    """The ticket a client holds, while it can still be used: its verification is waiting for a code, or this
    ticket proved it and has not finished (a recovery setting its password). Anything else is "not found":
    unknown, expired, used, another purpose, or a verification proved through someone else's ticket."""
    now = now or timezone.now()
    if not ticket or len(ticket) > TICKET_MAX_LENGTH:
        raise VerificationNotFound()
    found = (
        VerificationTicket.objects.select_related("verification", "verification__user")
        .filter(token_digest=ticket_digest(ticket))
        .first()
    )
    if found is None or found.used_at is not None or found.expires_at <= now:
        raise VerificationNotFound()
    verification = found.verification
    if purposes is not None and verification.purpose not in purposes:
        raise VerificationNotFound()
    if verification.status == VerificationStatus.PENDING:
        return found
    if verification.status == VerificationStatus.VERIFIED and found.verified_at is not None:
        return found
    raise VerificationNotFound()


def message_provider(message_id: uuid.UUID | str | None) -> str:
    """The provider that accepted a message ("" if none has yet): a resend "through another provider" avoids it."""
    if message_id is None:
        return ""
    return Message.objects.filter(pk=message_id).values_list("provider", flat=True).first() or ""


def latest_code(verification: PhoneVerification) -> VerificationCode | None:
    return verification.codes.order_by("-created_at", "-pk").first()


def _delivery(code: VerificationCode | None) -> Delivery | None:
    if code is None or code.message_id is None:
        return None
    status = public_status(code.message_id)
    if status is None:
        return None
    advice = {
        "sending": _("It usually arrives within a minute."),
        "sent": _("Your mobile operator has it. It should arrive soon."),
        "delivered": _("Look for an SMS from Bawaba on your phone."),
        "not_delivered": _(
            "Check that your phone is on and has signal. Then ask for a new code, or choose another way below."
        ),
    }.get(status.code, "")
    return Delivery(status.code, status.label, advice)


def verification_service_slug() -> str:
    return str(getattr(settings, "BAWABA_VERIFICATION_SERVICE", DEFAULT_VERIFICATION_SERVICE))


def _verification_offices() -> list[Office]:
    try:
        service = catalog_selectors.service_get(slug=verification_service_slug())
    except NotFound:
        return []
    return list(service.offices.all())


def verification_alternatives() -> tuple[str, ...]:
    """The other ways to get or prove a code that the operator enabled and that really work right now."""
    enabled = set(getattr(settings, "BAWABA_VERIFICATION_ALTERNATIVES", ()))
    available = {
        "sms_other": lambda: provider_count("sms") >= 2,
        "voice": lambda: channel_available("voice"),
        "whatsapp": lambda: channel_available("whatsapp"),
        "service_centre": lambda: bool(_verification_offices()),
    }
    return tuple(name for name in ALTERNATIVES if name in enabled and available[name]())


def alternative_channels() -> tuple[str, ...]:
    """The channels a code may be resent by: SMS always, plus the alternatives that are channels."""
    return (CodeChannel.SMS, *(name for name in verification_alternatives() if name in CodeChannel.values))


def verification_state(
    *, verification: PhoneVerification, ticket: VerificationTicket | None = None, now: dt.datetime | None = None
) -> VerificationState:
    """The waiting page's facts. `ticket` says whether this client proved the code (see verification_ticket_get)."""
    now = now or timezone.now()
    code = latest_code(verification)
    refusal = limits.send_refusal(verification=verification, client_address="", now=now, ticket=ticket)
    proved_here = ticket is None or ticket.verified_at is not None
    is_verified = verification.status == VerificationStatus.VERIFIED and proved_here
    code_alive = code is not None and code.used_at is None and code.expires_at > now
    return VerificationState(
        phone_masked=phone_masked(verification.phone),
        is_verified=is_verified,
        is_locked=limits.is_locked(verification, now) or (ticket is not None and limits.ticket_is_stopped(ticket, now)),
        code_sent=code_alive,
        code_expires_in=limits.seconds_until(code.expires_at, now) if code is not None and code_alive else 0,
        resend_in=0 if is_verified else int(refusal.data.get("retry_after", 0)) if refusal else 0,
        codes_left_this_hour=limits.codes_left_this_hour(phone=verification.phone, now=now),
        attempts_wait=0 if is_verified else _attempts_wait(verification, ticket, now),
        delivery=_delivery(code),
        alternatives=verification_alternatives(),
    )


def _attempts_wait(verification: PhoneVerification, ticket: VerificationTicket | None, now: dt.datetime) -> int:
    refusal = limits.attempts_refusal(verification, ticket, now)
    return int(refusal.data["retry_after"]) if refusal else 0


def governorate_list() -> list[tuple[str, str]]:
    """(ISO code, name in the reader's language) of every governorate, for the "where do you live?" choice.

    Read straight from the catalogue's model: bawaba.catalog.selectors has no governorate list yet."""
    governorates = Governorate.objects.order_by("name_en")
    return sorted(((g.iso_code, localized(g, "name")) for g in governorates), key=lambda item: item[1])


def service_centres(*, governorate: str | None = None) -> list[ServiceCentre]:
    """The offices where a number can be verified in person: those in `governorate` (ISO code) first, then the
    rest nearest first from its seat. Without a governorate, by governorate name."""
    origin = GOVERNORATE_SEATS.get(governorate or "")
    ranked: list[tuple[tuple[int, float, str], ServiceCentre]] = []
    for office in _verification_offices():
        if office.latitude is not None and office.longitude is not None:
            where: tuple[float, float] | None = (float(office.latitude), float(office.longitude))
        else:
            where = GOVERNORATE_SEATS.get(office.governorate.iso_code)
        inside = origin is not None and office.governorate.iso_code == governorate
        distance = distance_km(origin, where) if origin is not None and where is not None else None
        name, governorate_name = localized(office, "name"), localized(office.governorate, "name")
        if origin is None:
            key = (0, 0.0, f"{governorate_name} {name}")
        else:
            key = (0 if inside else 1 if distance is not None else 2, 0.0 if inside else distance or 0.0, name)
        centre = ServiceCentre(
            name=name,
            address=localized(office, "address"),
            opening_hours=localized(office, "opening_hours"),
            phone=office.phone,
            governorate=governorate_name,
            in_chosen_governorate=inside,
            distance_km=round(distance) if distance is not None and not inside else None,
        )
        ranked.append((key, centre))
    return [centre for _key, centre in sorted(ranked, key=lambda item: item[0])]
