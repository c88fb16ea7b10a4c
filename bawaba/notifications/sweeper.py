"""Re-drive what got stuck and close what is too old; runs every few seconds from Celery beat.

- Created or queued messages whose turn has passed (the queue lost them, Redis was down when they
  were stored, a worker died holding the task) are queued again. Claiming is conditional, so a
  message queued twice is still sent once.
- Messages whose worker's lease ran out go back to the queue; the try that worker had open is marked
  "unknown", so that provider is not asked again.
- Waiting messages past their expiry are expired; receipts that could not be applied yet are retried.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.db.models import F, Q
from django.utils import timezone

from bawaba.notifications.constants import WAITING_STATUSES, FailureKind, Outcome, Priority, Status
from bawaba.notifications.dispatch import enqueue
from bawaba.notifications.models import Attempt, DeliveryReceipt, Message
from bawaba.notifications.receipts import apply_receipt

logger = logging.getLogger(__name__)

BATCH = 2000
# A waiting message this long past its due time is considered lost by the queue.
URGENT_GRACE = dt.timedelta(seconds=5)
NORMAL_GRACE = dt.timedelta(seconds=60)
RECEIPT_GRACE = dt.timedelta(seconds=5)


@dataclass
class SweepReport:
    requeued: int = 0
    taken_back: int = 0
    expired: int = 0
    receipts: int = 0


def sweep(now: dt.datetime | None = None, *, limit: int = BATCH) -> SweepReport:
    from django.conf import settings

    now = now or timezone.now()
    report = SweepReport()

    # 1. Too old to be worth sending.
    report.expired += Message.objects.filter(status__in=WAITING_STATUSES, expires_at__lte=now).update(
        status=Status.EXPIRED, completed_at=now, failure_reason="Expired while waiting", lease_until=None
    )
    window_start = now - dt.timedelta(seconds=settings.BAWABA_NOTIFY_NORMAL_TTL)
    report.expired += Message.objects.filter(
        status__in=WAITING_STATUSES, expires_at__isnull=True, created_at__lte=window_start
    ).update(
        status=Status.FAILED,
        failure_kind=FailureKind.TEMPORARY,
        completed_at=now,
        failure_reason="No provider accepted it within the retry window",
        lease_until=None,
    )
    # Only what this sweep (or a recent one) closed: older rows were redacted when they closed.
    Message.objects.filter(
        status__in=[Status.EXPIRED, Status.FAILED],
        completed_at__gte=now - dt.timedelta(hours=1),
        template__sensitive=True,
        redacted=False,
    ).update(body="", subject="", template_values={}, redacted=True)

    # 2. Held by a worker that is gone.
    stale = list(
        Message.objects.filter(status=Status.SENDING, lease_until__lt=now).values_list("pk", flat=True)[:limit]
    )
    for message_id in stale:
        Attempt.objects.filter(message_id=message_id, outcome=Outcome.PENDING).update(
            outcome=Outcome.UNKNOWN, finished_at=now, error_code="worker_lost", error="The worker stopped while asking"
        )
        if Message.objects.filter(pk=message_id, status=Status.SENDING, lease_until__lt=now).update(
            status=Status.QUEUED, next_attempt_at=now, lease_until=None, claim_token=None, sweeps=F("sweeps") + 1
        ):
            report.taken_back += 1

    # 3. Waiting past their turn: the queue dropped them or never had them.
    overdue = Q(priority=Priority.URGENT, next_attempt_at__lte=now - URGENT_GRACE) | Q(
        priority=Priority.NORMAL, next_attempt_at__lte=now - NORMAL_GRACE
    )
    due_now = Q(pk__in=stale, status=Status.QUEUED)
    candidates = list(
        Message.objects.filter((Q(status__in=WAITING_STATUSES) & overdue) | due_now)
        .order_by("next_attempt_at")
        .values_list("pk", "priority")[:limit]
    )
    for message_id, priority in candidates:
        if message_id not in stale:
            Message.objects.filter(pk=message_id).update(sweeps=F("sweeps") + 1)
        if not enqueue(message_id, priority):
            continue  # the broker is away: it stays overdue, and the next sweep tries again
        report.requeued += 1
        # Moving its turn on keeps the next sweeps from queueing it again while it waits in a backlog;
        # only while it still waits for that turn (a worker may have it already).
        Message.objects.filter(pk=message_id, status__in=WAITING_STATUSES, next_attempt_at__lte=now).update(
            next_attempt_at=now
        )

    # 4. Receipts that arrived before their message was marked sent, or whose task was lost.
    pending = DeliveryReceipt.objects.filter(processed_at__isnull=True, received_at__lte=now - RECEIPT_GRACE)
    for receipt_id in pending.values_list("pk", flat=True)[:limit]:
        if apply_receipt(receipt_id):
            report.receipts += 1

    if report.requeued or report.taken_back or report.expired:
        logger.info(
            "Sweep: %s queued again, %s taken back from lost workers, %s expired, %s receipts applied",
            report.requeued,
            report.taken_back,
            report.expired,
            report.receipts,
        )
    return report
