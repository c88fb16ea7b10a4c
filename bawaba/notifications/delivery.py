"""Deliver one message: claim it, try providers until one accepts, and record every try.

The claim is a conditional UPDATE, so two workers given the same message (a redelivered task, a
sweep racing a slow queue) never both send it. Each try is written as an Attempt before the provider
is asked; a provider that accepted, or might have, is never asked again for the same message.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
import uuid

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from bawaba.notifications import routing
from bawaba.notifications.constants import (
    NO_RETRY_OUTCOMES,
    WAITING_STATUSES,
    FailureKind,
    Outcome,
    Priority,
    Status,
)
from bawaba.notifications.models import Attempt, Message
from bawaba.notifications.providers.base import (
    Accepted,
    OutgoingMessage,
    PermanentFailure,
    ProviderError,
    TemporaryFailure,
)
from bawaba.notifications.providers.config import get_provider, providers_for

logger = logging.getLogger(__name__)

# Waits between rounds when no provider took the message.
URGENT_RETRY_SECONDS = (1, 2, 4, 8, 10)
NORMAL_RETRY_SECONDS = (10, 30, 60, 120, 300, 600, 1200, 1800, 3600)
# A claim is a lease: if the worker dies, the sweeper takes the message back after this long.
MIN_LEASE_SECONDS = 60


def _attempt_timeout(message: Message, now: dt.datetime) -> float:
    if message.priority == Priority.URGENT:
        timeout = settings.BAWABA_NOTIFY_URGENT_ATTEMPT_TIMEOUT
    else:
        timeout = settings.BAWABA_NOTIFY_NORMAL_ATTEMPT_TIMEOUT
    if message.expires_at is not None:
        timeout = min(timeout, max(0.1, (message.expires_at - now).total_seconds()))
    return float(timeout)


def _lease_seconds(message: Message) -> float:
    # Long enough for one round over every provider, so a live worker is never taken over.
    tries = max(1, len(providers_for(message.channel)))
    return max(MIN_LEASE_SECONDS, 3 * tries * _attempt_timeout(message, timezone.now()))


def give_up_at(message: Message) -> dt.datetime:
    """After this, nothing more is tried: the caller's expiry, or the normal retry window."""
    if message.expires_at is not None:
        return message.expires_at
    return message.created_at + dt.timedelta(seconds=settings.BAWABA_NOTIFY_NORMAL_TTL)


def claim(message_id: uuid.UUID | str) -> Message | None:
    now = timezone.now()
    due = Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now + dt.timedelta(seconds=1))
    claimed = Message.objects.filter(due, pk=message_id, status__in=WAITING_STATUSES).update(
        status=Status.SENDING, lease_until=now + dt.timedelta(seconds=MIN_LEASE_SECONDS), rounds=F("rounds") + 1
    )
    if not claimed:
        return None
    message = Message.objects.select_related("template").get(pk=message_id)
    lease = _lease_seconds(message)
    if lease > MIN_LEASE_SECONDS:
        message.lease_until = now + dt.timedelta(seconds=lease)
        Message.objects.filter(pk=message.pk).update(lease_until=message.lease_until)
    return message


def _finish(message: Message, **fields: object) -> bool:
    """Write the outcome if this worker still holds the message; False if the sweeper took it back."""
    fields.setdefault("lease_until", None)
    updated = Message.objects.filter(pk=message.pk, status=Status.SENDING).update(**fields)
    if not updated:
        logger.error("Message %s was taken from this worker before it finished; keeping the other outcome", message.pk)
    return bool(updated)


def _expire(message: Message, now: dt.datetime) -> None:
    if message.expires_at is not None:
        _finish(
            message, status=Status.EXPIRED, completed_at=now, failure_reason="Expired before any provider accepted it"
        )
    else:
        _finish(
            message,
            status=Status.FAILED,
            failure_kind=FailureKind.TEMPORARY,
            completed_at=now,
            failure_reason="No provider accepted it within the retry window",
        )
    _redact_if_sensitive(message)


def _redaction(message: Message) -> dict[str, object]:
    """Fields that erase a secret's text, to write together with the message's final state."""
    return {"body": "", "redacted": True} if message.template.sensitive else {}


def _redact_if_sensitive(message: Message) -> None:
    # A one-time code is no use to anyone once it is out of our hands; don't keep it readable.
    if message.template.sensitive:
        Message.objects.filter(pk=message.pk).update(body="", redacted=True)


def _outgoing(message: Message) -> OutgoingMessage:
    return OutgoingMessage(
        message_id=str(message.pk),
        channel=message.channel,
        to=message.recipient,
        body=message.body,
        subject=message.subject,
        sender=message.sender,
        priority=message.priority,
        created_at=message.created_at,
        template=message.template.name,
        language=message.language,
    )


def _elapsed_ms(started: float) -> int:
    return max(0, round((time.monotonic() - started) * 1000))


def deliver(message_id: uuid.UUID | str) -> None:
    message = claim(message_id)
    if message is None:
        return
    first_try = message.rounds == 1 and message.sweeps == 0
    excluded = (
        set()
        if first_try
        else set(
            Attempt.objects.filter(message=message, outcome__in=NO_RETRY_OUTCOMES).values_list("provider", flat=True)
        )
    )
    tried_this_round: set[str] = set()
    any_candidate = False
    outgoing = _outgoing(message)
    while True:
        now = timezone.now()
        if now >= give_up_at(message):
            _expire(message, now)
            return
        config = routing.choose(message.channel, exclude=excluded | tried_this_round)
        if config is None:
            break
        any_candidate = True
        attempt = Attempt.objects.create(message=message, provider=config.name, started_at=now)
        started = time.monotonic()
        try:
            accepted: Accepted = get_provider(config.name).send(outgoing, timeout=_attempt_timeout(message, now))
        except PermanentFailure as exc:
            _record(attempt, Outcome.REJECTED, started, exc)
            finished = timezone.now()
            _finish(
                message,
                status=Status.FAILED,
                failure_kind=FailureKind.PERMANENT,
                failure_reason=str(exc)[:300],
                completed_at=finished,
            )
            _redact_if_sensitive(message)
            return
        except TemporaryFailure as exc:
            maybe = exc.maybe_accepted
            _record(attempt, Outcome.UNKNOWN if maybe else Outcome.FAILED, started, exc)
            routing.report_failure(config.name)
            (excluded if maybe else tried_this_round).add(config.name)
            continue
        except Exception as exc:
            # A provider bug is treated like an unanswered request: it might have gone out.
            logger.exception("Provider %s raised an unexpected error for message %s", config.name, message.pk)
            _record(attempt, Outcome.UNKNOWN, started, ProviderError(repr(exc)[:400], code="provider_crash"))
            routing.report_failure(config.name)
            excluded.add(config.name)
            continue
        latency = _elapsed_ms(started)
        Attempt.objects.filter(pk=attempt.pk).update(
            outcome=Outcome.ACCEPTED, finished_at=timezone.now(), latency_ms=latency
        )
        routing.report_success(config.name)
        sent_at = timezone.now()
        _finish(
            message,
            status=Status.SENT,
            provider=config.name,
            provider_reference=accepted.reference[:120],
            sent_at=sent_at,
            accept_latency_ms=max(0, round((sent_at - message.created_at).total_seconds() * 1000)),
            **_redaction(message),
        )
        return
    _schedule_retry(message, any_candidate=any_candidate or bool(tried_this_round))


def _record(attempt: Attempt, outcome: str, started: float, exc: ProviderError) -> None:
    Attempt.objects.filter(pk=attempt.pk).update(
        outcome=outcome,
        finished_at=timezone.now(),
        latency_ms=_elapsed_ms(started),
        error_code=(exc.code or type(exc).__name__)[:64],
        error=str(exc)[:500],
    )


def _schedule_retry(message: Message, *, any_candidate: bool) -> None:
    now = timezone.now()
    providers = {config.name for config in providers_for(message.channel)}
    asked = set(
        Attempt.objects.filter(message=message, outcome__in=NO_RETRY_OUTCOMES).values_list("provider", flat=True)
    )
    if providers and providers <= asked:
        # Every provider has it or might have it: asking again could mean a second copy.
        _finish(
            message,
            status=Status.FAILED,
            failure_kind=FailureKind.TEMPORARY,
            completed_at=now,
            failure_reason="Every provider was tried; none confirmed it",
        )
        _redact_if_sensitive(message)
        return
    schedule = URGENT_RETRY_SECONDS if message.priority == Priority.URGENT else NORMAL_RETRY_SECONDS
    wait = schedule[min(message.rounds, len(schedule)) - 1] if message.rounds else schedule[0]
    next_at = now + dt.timedelta(seconds=wait)
    if next_at >= give_up_at(message):
        _expire(message, now)
        return
    if _finish(message, status=Status.QUEUED, next_attempt_at=next_at):
        from bawaba.notifications.dispatch import enqueue

        transaction.on_commit(lambda: enqueue(message.pk, message.priority, countdown=wait))
    if not any_candidate:
        logger.warning("No provider available for %s message %s; retrying in %ss", message.channel, message.pk, wait)
