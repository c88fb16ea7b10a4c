"""Move each provider's health with what it did lately; runs every half minute from Celery beat.

Health scales the operator's weight (routing.py). A provider whose tries fail, or whose receipts
show slow delivery, loses half its health (or 30%) each run, down to a floor; one that behaves gains
a tenth back each run, so its share drifts back over a few minutes rather than jumping.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Q
from django.utils import timezone

from bawaba.notifications import routing
from bawaba.notifications.constants import Outcome
from bawaba.notifications.models import Attempt, Message, ProviderState
from bawaba.notifications.providers.config import provider_configs

logger = logging.getLogger(__name__)

WINDOW = dt.timedelta(minutes=5)
DELIVERY_WINDOW = dt.timedelta(minutes=15)
MIN_SAMPLE = 5
ERROR_RATE_LIMIT = 0.2
FLOOR = 0.05
RECOVERY_STEP = 0.1


@dataclass(frozen=True)
class HealthChange:
    provider: str
    before: float
    after: float
    reason: str


def percentile(values: list[int], fraction: float) -> int | None:
    if not values:
        return None
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def adjust_health(now: dt.datetime | None = None) -> list[HealthChange]:
    now = now or timezone.now()
    changes: list[HealthChange] = []
    slow_ms = settings.BAWABA_NOTIFY_SLOW_DELIVERY * 1000
    for config in provider_configs():
        counts = Attempt.objects.filter(provider=config.name, started_at__gte=now - WINDOW).aggregate(
            total=Count("pk"), bad=Count("pk", filter=Q(outcome__in=[Outcome.FAILED, Outcome.UNKNOWN]))
        )
        latencies = list(
            Message.objects.filter(
                provider=config.name, sent_at__gte=now - DELIVERY_WINDOW, delivery_latency_ms__isnull=False
            )
            .order_by("-sent_at")
            .values_list("delivery_latency_ms", flat=True)[:2000]
        )
        state, _created = ProviderState.objects.get_or_create(name=config.name)
        before = state.health
        p90 = percentile([value for value in latencies if value is not None], 0.9)
        if counts["total"] >= MIN_SAMPLE and counts["bad"] / counts["total"] > ERROR_RATE_LIMIT:
            after = max(FLOOR, before * 0.5)
            reason = f"{counts['bad']} of {counts['total']} tries failed in the last 5 minutes"
        elif p90 is not None and len(latencies) >= MIN_SAMPLE and p90 > slow_ms:
            after = max(FLOOR, before * 0.7)
            reason = f"90% of deliveries took up to {p90 / 1000:.0f} s in the last 15 minutes"
        else:
            after = min(1.0, before + RECOVERY_STEP)
            reason = "recovering" if after < 1.0 else ""
        if after != before or reason != state.health_reason:
            ProviderState.objects.filter(pk=state.pk).update(health=after, health_reason=reason, updated_at=now)
            if after != before:
                changes.append(HealthChange(config.name, before, after, reason))
                logger.info("Provider %s health %.2f → %.2f: %s", config.name, before, after, reason or "healthy")
    routing.forget_states()
    return changes
