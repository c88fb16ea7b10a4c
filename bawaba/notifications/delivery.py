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


def _due() -> Q:
    return Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=timezone.now() + dt.timedelta(seconds=1))


def waiting_message(message_id: uuid.UUID | str) -> Message | None:
    """The message if it is waiting and due; a plain read, so a duplicate task costs no write."""
    return Message.objects.select_related("template").filter(_due(), pk=message_id, status__in=WAITING_STATUSES).first()


def claim(message: Message, provider: str | None, now: dt.datetime) -> tuple[bool, Attempt | None]:
    """Take the message for this worker and open its first attempt, in one commit.

    The conditional UPDATE is what makes two workers given the same message send it once: only one
    of them changes the row. The lease is long enough for a round over every provider.
    """
    lease = now + dt.timedelta(seconds=_lease_seconds(message))
    token = uuid.uuid4()
    with transaction.atomic():
        claimed = Message.objects.filter(_due(), pk=message.pk, status__in=WAITING_STATUSES).update(
            status=Status.SENDING, lease_until=lease, rounds=F("rounds") + 1, claim_token=token
        )
        if not claimed:
            return False, None
        message.status, message.lease_until, message.rounds = Status.SENDING, lease, message.rounds + 1
        message.claim_token = token
        attempt = Attempt.objects.create(message=message, provider=provider, started_at=now) if provider else None
    return True, attempt


def _finish(message: Message, **fields: object) -> bool:
    """Write the outcome if this worker still holds the message; False if the sweeper took it back."""
    fields.setdefault("lease_until", None)
    fields.setdefault("claim_token", None)
    updated = Message.objects.filter(pk=message.pk, status=Status.SENDING, claim_token=message.claim_token).update(
        **fields
    )
    if not updated:
        logger.error("Message %s was taken from this worker before it finished; keeping the other outcome", message.pk)
    return bool(updated)


def _expire(message: Message, now: dt.datetime) -> None:
    if message.expires_at is not None:
        _finish(
            message,
            status=Status.EXPIRED,
            completed_at=now,
            failure_reason="Expired before any provider accepted it",
            **_redaction(message),
        )
    else:
        _finish(
            message,
            status=Status.FAILED,
            failure_kind=FailureKind.TEMPORARY,
            completed_at=now,
            failure_reason="No provider accepted it within the retry window",
            **_redaction(message),
        )


def _redaction(message: Message) -> dict[str, object]:
    """Fields that erase a secret's text, written with the message's final state.

    A one-time code is no use to anyone once it is out of our hands; the database does not keep it.
    """
    if not message.template.sensitive:
        return {}
    return {"body": "", "subject": "", "template_values": {}, "redacted": True}


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
        expires_at=message.expires_at,
        template=message.template.name,
        language=message.language,
        values=dict(message.template_values or {}),
    )


def _elapsed_ms(started: float) -> int:
    return max(0, round((time.monotonic() - started) * 1000))


def deliver(message_id: uuid.UUID | str) -> None:
    message = waiting_message(message_id)
    if message is None:
        return
    # Never claimed and never re-driven by the sweeper: it has no attempts, so skip the query on the
    # common path. (A message taken back from a dead worker always has sweeps > 0.)
    untried = message.rounds == 0 and message.sweeps == 0
    excluded = set() if untried else _providers_not_to_ask(message)
    # A resend's first round keeps away from the providers the caller named, while another can take it.
    avoided = set(message.avoid_providers or ()) if message.rounds == 0 else set()
    tried_this_round: set[str] = set()
    any_candidate = False
    held = False
    outgoing = _outgoing(message)
    while True:
        now = timezone.now()
        expired = now >= give_up_at(message)
        config = (
            None if expired else routing.choose(message.channel, exclude=excluded | tried_this_round, avoid=avoided)
        )
        if not held:
            held, attempt = claim(message, config.name if config else None, now)
            if not held:
                return  # another worker has it, or it is done
        elif config is not None:
            attempt = _next_attempt(message, config.name, now)
            if attempt is None:
                return  # the sweeper took the message back: another worker owns it now
        if expired:
            _expire(message, now)
            return
        if config is None or attempt is None:
            break
        any_candidate = True
        started = time.monotonic()
        token = routing.in_flight.started(config.name)
        answered = False
        try:
            accepted: Accepted = get_provider(config.name).send(outgoing, timeout=_attempt_timeout(message, now))
            answered = True
        except PermanentFailure as exc:
            if not exc.final:
                # This provider won't take it, for reasons of its own; the next one may.
                if exc.provider_fault:
                    _record(attempt, Outcome.FAILED, started, exc)
                    routing.report_failure(config.name)
                else:
                    # It cannot carry this message, but is well: a refusal, not a failure, for its health.
                    _record(attempt, Outcome.REJECTED, started, exc)
                tried_this_round.add(config.name)
                continue
            _record(attempt, Outcome.REJECTED, started, exc)
            _finish(
                message,
                status=Status.FAILED,
                failure_kind=FailureKind.PERMANENT,
                failure_reason=str(exc)[:300],
                completed_at=timezone.now(),
                **_redaction(message),
            )
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
            # Only the error's type is stored: its text may quote the message, and so a code.
            _record(attempt, Outcome.UNKNOWN, started, ProviderError(type(exc).__name__, code="provider_crash"))
            routing.report_failure(config.name)
            excluded.add(config.name)
            continue
        finally:
            routing.in_flight.ended(config.name, token, answered=answered)
        routing.report_success(config.name)
        _accepted(message, attempt, config.name, accepted, started)
        return
    _schedule_retry(message, any_candidate=any_candidate or bool(tried_this_round))


def _next_attempt(message: Message, provider: str, now: dt.datetime) -> Attempt | None:
    """Open one more try, renewing the lease, only while this worker's claim still holds."""
    lease = now + dt.timedelta(seconds=_lease_seconds(message))
    with transaction.atomic():
        held = Message.objects.filter(pk=message.pk, status=Status.SENDING, claim_token=message.claim_token).update(
            lease_until=lease
        )
        if not held:
            logger.error("Message %s was taken from this worker between tries; stopping", message.pk)
            return None
        return Attempt.objects.create(message=message, provider=provider, started_at=now)


def _providers_not_to_ask(message: Message) -> set[str]:
    return set(
        Attempt.objects.filter(message=message, outcome__in=NO_RETRY_OUTCOMES).values_list("provider", flat=True)
    )


def _accepted(message: Message, attempt: Attempt, provider: str, accepted: Accepted, started: float) -> None:
    """Record the acceptance on the attempt and the message together: one commit, never half."""
    sent_at = timezone.now()
    with transaction.atomic():
        Attempt.objects.filter(pk=attempt.pk).update(
            outcome=Outcome.ACCEPTED, finished_at=sent_at, latency_ms=_elapsed_ms(started)
        )
        _finish(
            message,
            status=Status.SENT,
            provider=provider,
            provider_reference=accepted.reference[:120],
            sent_at=sent_at,
            accept_latency_ms=max(0, round((sent_at - message.created_at).total_seconds() * 1000)),
            **_redaction(message),
        )


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
    if providers and providers <= _providers_not_to_ask(message):
        # Every provider has it or might have it: asking again could mean a second copy.
        _finish(
            message,
            status=Status.FAILED,
            failure_kind=FailureKind.TEMPORARY,
            completed_at=now,
            failure_reason="Every provider was tried; none confirmed it",
            **_redaction(message),
        )
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
