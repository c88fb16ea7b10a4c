"""Delivery figures for the operators' dashboard, counted by the database, never row by row in Python.

At national scale a day holds a million messages and more attempts, so every figure is an aggregate:
counts with conditional filters (COUNT(*) FILTER (WHERE ...) on PostgreSQL, CASE on SQLite), and
latency percentiles estimated from a fixed histogram whose buckets are counted in the same query.
An estimate lies within the width of the bucket that holds the true value (buckets are narrow where
latencies usually are), and never outside the smallest and largest value seen.

Queries are shaped for the indexes the models have: attempts by (provider, started_at), messages by
sent_at, waiting messages by (status, next_attempt_at).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Aggregate, Count, Max, Min, Q
from django.utils import timezone

from bawaba.notifications.constants import Outcome, Priority, Status
from bawaba.notifications.models import Attempt, Message, ProviderState
from bawaba.notifications.providers.config import provider_configs
from bawaba.notifications.recipients import OPERATOR_NAMES
from bawaba.notifications.sweeper import NORMAL_GRACE, URGENT_GRACE

# Upper edges of the latency buckets, in milliseconds; a bucket holds values above the previous edge
# up to its own. From a fast SMPP answer (tens of ms) to a delivery receipt an hour late.
LATENCY_BUCKETS_MS: tuple[int, ...] = (
    10, 25, 50, 100, 200, 300, 500, 750,
    1_000, 1_500, 2_000, 3_000, 5_000, 7_500, 10_000, 15_000, 20_000, 30_000, 45_000,
    60_000, 120_000, 300_000, 600_000, 1_800_000, 3_600_000,
)  # fmt: skip

WINDOWS: dict[str, dt.timedelta] = {"hour": dt.timedelta(hours=1), "day": dt.timedelta(days=1)}
# Operators shown even when they had no traffic, so a silent network stands out.
MOBILE_OPERATORS = ("korek", "asiacell", "zain", "omnnea")
WAITING_ORDER = (Status.CREATED, Status.QUEUED, Status.SENDING)
# Outcomes counted as "the provider did not take it": it refused, failed, or gave no answer.
FAILED_OUTCOMES = (Outcome.FAILED, Outcome.REJECTED, Outcome.UNKNOWN)


@dataclass(frozen=True)
class Histogram:
    """How many values fell at or below each edge of LATENCY_BUCKETS_MS, with the extremes."""

    count: int = 0
    minimum: int | None = None
    maximum: int | None = None
    at_or_below: tuple[int, ...] = (0,) * len(LATENCY_BUCKETS_MS)

    def __add__(self, other: Histogram) -> Histogram:
        """Two disjoint sets of values as one: counts add up, the extremes are the wider pair."""
        return Histogram(
            count=self.count + other.count,
            minimum=min((v for v in (self.minimum, other.minimum) if v is not None), default=None),
            maximum=max((v for v in (self.maximum, other.maximum) if v is not None), default=None),
            at_or_below=tuple(a + b for a, b in zip(self.at_or_below, other.at_or_below, strict=True)),
        )

    def percentile(self, fraction: float) -> int | None:
        """The nearest-rank percentile, interpolated inside its bucket; None without values."""
        if self.count == 0 or self.minimum is None or self.maximum is None:
            return None
        # 0.9 * 10 is 9.000000000000002 in floating point; the rank is still 9.
        rank = max(1, math.ceil(fraction * self.count - 1e-9))
        below, lower, upper, at_upper = 0, 0, self.maximum, self.count
        for edge, cumulative in zip(LATENCY_BUCKETS_MS, self.at_or_below, strict=True):
            if cumulative >= rank:
                upper, at_upper = edge, cumulative
                break
            below, lower = cumulative, edge
        # The bucket holds the value; the extremes seen narrow it (a bucket above the last edge has no top).
        lower, upper = max(lower, self.minimum), min(upper, self.maximum)
        return round(lower + (upper - lower) * (rank - below - 0.5) / (at_upper - below))

    def percentiles(self, *fractions: float) -> dict[str, int | None]:
        """{"p50": ..., "p90": ...}, for templates."""
        return {f"p{round(fraction * 100)}": self.percentile(fraction) for fraction in fractions}


def histogram_aggregates(prefix: str, field_name: str, condition: Q | None = None) -> dict[str, Aggregate]:
    """Aggregates that count one latency column into the buckets, for .aggregate() or .annotate()."""
    where = Q(**{f"{field_name}__isnull": False}) & (condition or Q())
    aggregates: dict[str, Aggregate] = {
        f"{prefix}__count": Count("pk", filter=where),
        f"{prefix}__min": Min(field_name, filter=where),
        f"{prefix}__max": Max(field_name, filter=where),
    }
    for index, edge in enumerate(LATENCY_BUCKETS_MS):
        aggregates[f"{prefix}__le{index}"] = Count("pk", filter=where & Q(**{f"{field_name}__lte": edge}))
    return aggregates


def histogram_from(row: dict[str, Any], prefix: str) -> Histogram:
    return Histogram(
        count=row[f"{prefix}__count"],
        minimum=row[f"{prefix}__min"],
        maximum=row[f"{prefix}__max"],
        at_or_below=tuple(row[f"{prefix}__le{index}"] for index in range(len(LATENCY_BUCKETS_MS))),
    )


@dataclass(frozen=True)
class Figures:
    """What one provider (or one mobile operator) did in one window."""

    attempts: int = 0  # tries to hand a message over
    accepted: int = 0
    failed: int = 0  # refused, failed, or no answer (FAILED_OUTCOMES)
    sent: int = 0  # messages accepted in the window
    delivered: int = 0  # of those, delivered by their receipt
    final_receipts: int = 0  # of those, with a final receipt (delivered or not delivered)
    attempt_latency: Histogram = field(default_factory=Histogram)  # accepted tries: ask to answer
    accept_latency: Histogram = field(default_factory=Histogram)  # send() call to acceptance
    delivery_latency: Histogram = field(default_factory=Histogram)  # acceptance to delivery receipt

    def __add__(self, other: Figures) -> Figures:
        return Figures(
            attempts=self.attempts + other.attempts,
            accepted=self.accepted + other.accepted,
            failed=self.failed + other.failed,
            sent=self.sent + other.sent,
            delivered=self.delivered + other.delivered,
            final_receipts=self.final_receipts + other.final_receipts,
            attempt_latency=self.attempt_latency + other.attempt_latency,
            accept_latency=self.accept_latency + other.accept_latency,
            delivery_latency=self.delivery_latency + other.delivery_latency,
        )

    @property
    def accepted_share(self) -> float | None:
        return self.accepted / self.attempts if self.attempts else None

    @property
    def failed_share(self) -> float | None:
        return self.failed / self.attempts if self.attempts else None

    @property
    def delivered_share(self) -> float | None:
        return self.delivered / self.final_receipts if self.final_receipts else None


@dataclass(frozen=True)
class ProviderFigures:
    name: str
    channels: tuple[str, ...]
    weight: int
    health: float
    health_reason: str
    paused: bool
    paused_at: dt.datetime | None
    paused_by: str
    windows: dict[str, Figures]


@dataclass(frozen=True)
class OperatorFigures:
    code: str
    name: str
    windows: dict[str, Figures]


@dataclass(frozen=True)
class WaitingFigures:
    status: str
    label: str
    count: int
    overdue: int  # past its turn (the sweeper's grace) or held by a worker whose lease ran out
    oldest: dt.datetime | None


@dataclass(frozen=True)
class DeliveryDashboard:
    at: dt.datetime
    providers: list[ProviderFigures]
    operators: list[OperatorFigures]
    waiting: list[WaitingFigures]


# Figures are counted per (provider, mobile operator) pair, one scan of each table per window, and
# added up both ways: per provider and per operator. Pairs are few (providers x 5 operators).
Pair = tuple[str, str]


def _attempt_rows(providers: list[str], since: dt.datetime, until: dt.datetime) -> dict[Pair, dict[str, Any]]:
    # provider IN (...) with a time range uses the (provider, started_at) index.
    rows = (
        Attempt.objects.filter(provider__in=providers, started_at__gte=since, started_at__lte=until)
        .order_by()
        .values("provider", "message__operator")
        .annotate(
            attempts=Count("pk"),
            accepted=Count("pk", filter=Q(outcome=Outcome.ACCEPTED)),
            failed=Count("pk", filter=Q(outcome__in=FAILED_OUTCOMES)),
            **histogram_aggregates("attempt", "latency_ms", Q(outcome=Outcome.ACCEPTED)),
        )
    )
    return {(row["provider"], row["message__operator"]): dict(row) for row in rows}


def _message_rows(since: dt.datetime, until: dt.datetime) -> dict[Pair, dict[str, Any]]:
    # A message that was accepted and then failed was failed by its receipt ("not delivered").
    rows = (
        Message.objects.filter(sent_at__gte=since, sent_at__lte=until)
        .order_by()
        .values("provider", "operator")
        .annotate(
            sent=Count("pk"),
            delivered=Count("pk", filter=Q(status=Status.DELIVERED)),
            final_receipts=Count("pk", filter=Q(status__in=[Status.DELIVERED, Status.FAILED])),
            **histogram_aggregates("accept", "accept_latency_ms"),
            **histogram_aggregates("delivery", "delivery_latency_ms"),
        )
    )
    return {(row["provider"], row["operator"]): dict(row) for row in rows}


def _figures(attempts: dict[str, Any] | None, messages: dict[str, Any] | None) -> Figures:
    attempts = attempts or {}
    messages = messages or {}
    return Figures(
        attempts=attempts.get("attempts", 0),
        accepted=attempts.get("accepted", 0),
        failed=attempts.get("failed", 0),
        sent=messages.get("sent", 0),
        delivered=messages.get("delivered", 0),
        final_receipts=messages.get("final_receipts", 0),
        attempt_latency=histogram_from(attempts, "attempt") if attempts else Histogram(),
        accept_latency=histogram_from(messages, "accept") if messages else Histogram(),
        delivery_latency=histogram_from(messages, "delivery") if messages else Histogram(),
    )


def pair_figures(providers: list[str], since: dt.datetime, until: dt.datetime) -> dict[Pair, Figures]:
    """What each provider did for each mobile operator's numbers between `since` and `until`."""
    attempts = _attempt_rows(providers, since, until)
    messages = _message_rows(since, until)
    return {pair: _figures(attempts.get(pair), messages.get(pair)) for pair in attempts.keys() | messages.keys()}


def waiting_messages(now: dt.datetime) -> list[WaitingFigures]:
    """Messages nobody has handed over yet, by status: how many, how many are stuck, the oldest."""
    overdue = (
        Q(status__in=[Status.CREATED, Status.QUEUED])
        & (
            Q(priority=Priority.URGENT, next_attempt_at__lte=now - URGENT_GRACE)
            | Q(priority=Priority.NORMAL, next_attempt_at__lte=now - NORMAL_GRACE)
        )
    ) | Q(status=Status.SENDING, lease_until__lt=now)
    rows: dict[str, dict[str, Any]] = {
        row["status"]: dict(row)
        for row in Message.objects.filter(status__in=WAITING_ORDER)
        .order_by()
        .values("status")
        .annotate(total=Count("pk"), overdue=Count("pk", filter=overdue), oldest=Min("created_at"))
    }
    empty = {"total": 0, "overdue": 0, "oldest": None}
    return [
        WaitingFigures(
            status=status.value,
            label=str(status.label),
            count=rows.get(status, empty)["total"],
            overdue=rows.get(status, empty)["overdue"],
            oldest=rows.get(status, empty)["oldest"],
        )
        for status in WAITING_ORDER
    ]


def delivery_dashboard(now: dt.datetime | None = None) -> DeliveryDashboard:
    """Every configured provider and every mobile operator, over the last hour and the last day."""
    now = now or timezone.now()
    configs = provider_configs()
    names = [config.name for config in configs]
    by_provider: dict[str, dict[str, Figures]] = {name: {} for name in names}
    by_operator: dict[str, dict[str, Figures]] = {code: {} for code in MOBILE_OPERATORS}
    for window, length in WINDOWS.items():
        pairs = pair_figures(names, now - length, now)
        for _provider, operator in pairs:
            by_operator.setdefault(operator, {})  # e-mail and numbers abroad have no operator: ""
        for name, windows in by_provider.items():
            windows[window] = sum((f for (p, _o), f in pairs.items() if p == name), Figures())
        for code, windows in by_operator.items():
            windows[window] = sum((f for (_p, o), f in pairs.items() if o == code), Figures())
    for windows in by_operator.values():
        for window in WINDOWS:
            windows.setdefault(window, Figures())  # an operator seen only in the longer window
    states = {state.name: state for state in ProviderState.objects.filter(name__in=names).select_related("paused_by")}
    providers = []
    for config in configs:
        state = states.get(config.name)
        providers.append(
            ProviderFigures(
                name=config.name,
                channels=config.channels,
                weight=config.weight,
                health=state.health if state else 1.0,
                health_reason=state.health_reason if state else "",
                paused=bool(state and state.paused),
                paused_at=state.paused_at if state else None,
                paused_by=state.paused_by.get_username() if state and state.paused_by else "",
                windows=by_provider[config.name],
            )
        )
    others = sorted(code for code in by_operator if code not in MOBILE_OPERATORS)
    operators = [
        OperatorFigures(code, OPERATOR_NAMES.get(code, code), by_operator[code])
        for code in (*MOBILE_OPERATORS, *others)
    ]
    return DeliveryDashboard(at=now, providers=providers, operators=operators, waiting=waiting_messages(now))
