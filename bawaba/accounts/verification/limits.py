"""The limits on one-time codes: how often one may be sent, and how many wrong ones may be tried.

Everything is counted in the database (VerificationCode rows and the verification's own counters), never
only in the cache: a dead Redis must not open the gate to an SMS flood. docs/decisions/0010 says why
each limit is shaped the way it is.
"""

import datetime as dt
import ipaddress
import math

from django.conf import settings
from django.db.models import Max, QuerySet, Sum

from bawaba.accounts.errors import CodeLimitReached, ResendNotYet, TooManyAttempts
from bawaba.accounts.models import PhoneVerification, VerificationCode, VerificationTicket
from bawaba.core.errors import ApplicationError
from bawaba.core.ratelimit import RateLimited, rate_limit_check

HOUR = dt.timedelta(hours=1)
DAY = dt.timedelta(days=1)
# After BAWABA_CODE_MAX_ATTEMPTS wrong codes from one ticket (or from one address) that ticket (those tickets)
# may not try codes for this long; after VERIFICATION_MAX_ATTEMPTS from all tickets the whole verification
# stops accepting codes (and sending them) for as long.
LOCK = dt.timedelta(hours=24)
# The ceiling on wrong codes per verification, whatever ticket or address sends them, counted until a day
# passes without one. Far above what one person mistypes, so an attacker needs many addresses to reach it
# and lock the owner out; low enough that guessing stays at 50 in a million a day (NIST SP 800-63B 5.2.2
# allows up to 100 consecutive failures).
VERIFICATION_MAX_ATTEMPTS = 50
# The wait after each wrong code beyond the free ones doubles from this, up to the ceiling.
FIRST_ATTEMPT_WAIT_SECONDS = 30
LONGEST_ATTEMPT_WAIT_SECONDS = 3600


def seconds_until(moment: dt.datetime | None, now: dt.datetime) -> int:
    """Whole seconds from now until `moment`, rounded up; 0 when it has passed (or is None)."""
    if moment is None or moment <= now:
        return 0
    return math.ceil((moment - now).total_seconds())


def resend_wait(codes_sent_today: int) -> dt.timedelta:
    """The wait after the n-th code of a verification in the last day: 30 s, 60 s, 2 min, 5 min, 10 min..."""
    waits = settings.BAWABA_CODE_RESEND_WAITS or [30]
    return dt.timedelta(seconds=waits[min(max(codes_sent_today, 1), len(waits)) - 1])


def attempt_wait(failed_attempts: int) -> dt.timedelta | None:
    """The wait after the n-th wrong code: none for the free tries, then 30 s, 60 s, 2 min... up to an hour."""
    beyond_free = failed_attempts - settings.BAWABA_CODE_FREE_ATTEMPTS
    if beyond_free <= 0:
        return None
    seconds = FIRST_ATTEMPT_WAIT_SECONDS * 2 ** min(beyond_free - 1, 16)
    return dt.timedelta(seconds=min(seconds, LONGEST_ATTEMPT_WAIT_SECONDS))


def address_bucket(address: str) -> str:
    """The address the per-address limits count: an IPv4 address as it is, an IPv6 address as its /64 (one
    subscriber usually gets a whole /64, so each of its addresses must not count as someone new)."""
    try:
        parsed = ipaddress.ip_address(address.strip())
    except ValueError:
        return address.strip()[:45]
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.ipv4_mapped is not None:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.IPv6Network((parsed, 64), strict=False))
    return str(parsed)


def max_attempts_per_ticket() -> int:
    return int(settings.BAWABA_CODE_MAX_ATTEMPTS)


def max_attempts_per_verification() -> int:
    return int(getattr(settings, "BAWABA_CODE_MAX_ATTEMPTS_PER_VERIFICATION", VERIFICATION_MAX_ATTEMPTS))


def _ticket_group(ticket: VerificationTicket, now: dt.datetime) -> QuerySet[VerificationTicket]:
    """The tickets whose wrong codes count together with `ticket`'s: those of its verification asked for from
    the same client address and still alive (a new ticket from the same place does not start afresh)."""
    if not ticket.client_address:
        return VerificationTicket.objects.filter(pk=ticket.pk)
    return VerificationTicket.objects.filter(
        verification_id=ticket.verification_id, client_address=ticket.client_address, expires_at__gt=now
    )


def ticket_failures(ticket: VerificationTicket, now: dt.datetime) -> int:
    """Wrong codes sent with this ticket and with the other live tickets of its verification from its address."""
    return int(_ticket_group(ticket, now).aggregate(total=Sum("failed_attempts"))["total"] or 0)


def _ticket_blocked_until(ticket: VerificationTicket, now: dt.datetime) -> dt.datetime | None:
    found = _ticket_group(ticket, now).aggregate(until=Max("attempts_blocked_until"))["until"]
    return max(filter(None, (found, ticket.attempts_blocked_until)), default=None)


def is_locked(verification: PhoneVerification, now: dt.datetime) -> bool:
    """The verification's day-long stop: no code is checked or sent, whatever the ticket."""
    return verification.locked_until is not None and verification.locked_until > now


def ticket_is_stopped(ticket: VerificationTicket, now: dt.datetime) -> bool:
    """This ticket (or its address) reached the wrong-code limit and waits out the day-long stop."""
    blocked = _ticket_blocked_until(ticket, now)
    return blocked is not None and blocked > now and ticket_failures(ticket, now) >= max_attempts_per_ticket()


def attempts_refusal(
    verification: PhoneVerification, ticket: VerificationTicket | None, now: dt.datetime
) -> TooManyAttempts | None:
    """Why `ticket` may not try a code right now (the verification's stop, or this ticket's growing wait or
    stop), or None. Another ticket's wrong codes never hold this one back, unless it came from the same address."""
    waits = [seconds_until(verification.locked_until, now)]
    if ticket is not None:
        waits.append(seconds_until(_ticket_blocked_until(ticket, now), now))
    wait = max(waits)
    if wait:
        return TooManyAttempts(data={"retry_after": wait})
    return None


def _cap_wait(codes: QuerySet[VerificationCode], *, limit: int, window: dt.timedelta, now: dt.datetime) -> int:
    """0 while fewer than `limit` codes fall in the window; else the seconds until the oldest that counts leaves it."""
    recent = codes.filter(created_at__gt=now - window)
    count = recent.count()
    if count < limit:
        return 0
    oldest_that_counts = recent.order_by("created_at").values_list("created_at", flat=True)[count - limit]
    return max(1, seconds_until(oldest_that_counts + window, now))


def caps_wait(*, phone: str, client_address: str, now: dt.datetime) -> int:
    """Seconds until the caps on codes to this number (hour, day) and from this address (day) allow one more."""
    to_number = VerificationCode.objects.filter(phone=phone)
    waits = [
        _cap_wait(to_number, limit=settings.BAWABA_CODES_PER_NUMBER_PER_HOUR, window=HOUR, now=now),
        _cap_wait(to_number, limit=settings.BAWABA_CODES_PER_NUMBER_PER_DAY, window=DAY, now=now),
    ]
    if client_address:
        from_address = VerificationCode.objects.filter(client_address=address_bucket(client_address))
        waits.append(_cap_wait(from_address, limit=settings.BAWABA_CODES_PER_ADDRESS_PER_DAY, window=DAY, now=now))
    return max(waits)


def codes_left_this_hour(*, phone: str, now: dt.datetime) -> int:
    """How many more codes this number may get in the coming hour (the daily cap can make it fewer)."""
    to_number = VerificationCode.objects.filter(phone=phone)
    this_hour = to_number.filter(created_at__gt=now - HOUR).count()
    today = to_number.filter(created_at__gt=now - DAY).count()
    return max(
        0,
        min(
            settings.BAWABA_CODES_PER_NUMBER_PER_HOUR - this_hour,
            settings.BAWABA_CODES_PER_NUMBER_PER_DAY - today,
        ),
    )


def send_refusal(
    *,
    verification: PhoneVerification,
    client_address: str,
    now: dt.datetime,
    ticket: VerificationTicket | None = None,
) -> ApplicationError | None:
    """Why no code may be sent for `verification` (asked with `ticket`) right now, or None when one may.

    In order: a locked verification or a stopped ticket (codes are pointless to them until the stop ends),
    the verification's own growing cooldown, then the caps per number and per address.
    """
    if is_locked(verification, now):
        return TooManyAttempts(data={"retry_after": seconds_until(verification.locked_until, now)})
    if ticket is not None and ticket_is_stopped(ticket, now):
        return TooManyAttempts(data={"retry_after": seconds_until(_ticket_blocked_until(ticket, now), now)})
    cooldown = seconds_until(verification.next_code_allowed_at, now)
    if cooldown:
        return ResendNotYet(data={"retry_after": cooldown})
    cap = caps_wait(phone=verification.phone, client_address=client_address, now=now)
    if cap:
        return CodeLimitReached(data={"retry_after": cap})
    return None


def codes_sent_today(verification: PhoneVerification, now: dt.datetime) -> int:
    return verification.codes.filter(created_at__gt=now - DAY).count()


# Anti-automation on top of the database caps: starting a verification writes rows even when no code goes
# out. Generous, because a whole neighbourhood can share one address behind carrier-grade NAT. Kept in
# the cache, so it lapses with Redis; the caps on codes above do not.
STARTS_PER_ADDRESS_PER_HOUR = 100


def start_rate_limit_check(*, client_address: str) -> None:
    """Count one sign-up or recovery start from `client_address`; RateLimited (retry_after: an hour) past the limit."""
    try:
        rate_limit_check(
            scope="accounts.verification_start",
            identity=address_bucket(client_address),
            limit=STARTS_PER_ADDRESS_PER_HOUR,
            window_seconds=3600,
        )
    except RateLimited as limited:
        limited.data["retry_after"] = 3600
        raise
