"""Delivery figures computed from seeded attempts and messages: exact counts, estimated percentiles."""

import datetime as dt
import math

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bawaba.notifications.constants import Outcome, Priority, Status
from bawaba.notifications.models import Attempt, Message, MessageTemplate, ProviderState
from bawaba.notifications.stats import LATENCY_BUCKETS_MS, delivery_dashboard

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2025, 3, 1, 12, 0, tzinfo=dt.UTC)
MINUTE = dt.timedelta(minutes=1)
HOUR = dt.timedelta(hours=1)


@pytest.fixture(autouse=True)
def _providers(settings):
    settings.BAWABA_NOTIFY_PROVIDERS = [
        {"name": "alpha", "kind": "outbox", "channels": ["sms"], "weight": 70},
        {"name": "beta", "kind": "outbox", "channels": ["sms", "email"], "weight": 30},
    ]


def message(**fields):
    values = {
        "template": MessageTemplate.objects.get(name="provider_test"),
        "channel": "sms",
        "recipient": "+9647701234567",
        "operator": "asiacell",
        "language": "ar",
        "body": "x",
        "status": Status.SENT,
        "created_at": NOW - 10 * MINUTE,
    }
    values.update(fields)
    return Message.objects.create(**values)


def attempt(provider, outcome, started_at, latency_ms=None, to=None):
    return Attempt.objects.create(
        message=to or message(),
        provider=provider,
        outcome=outcome,
        started_at=started_at,
        latency_ms=latency_ms,
    )


def sent(provider, at, *, status=Status.SENT, operator="asiacell", accept_ms=None, delivery_ms=None):
    return message(
        provider=provider,
        status=status,
        operator=operator,
        sent_at=at,
        accept_latency_ms=accept_ms,
        delivery_latency_ms=delivery_ms,
    )


def exact_percentile(values, fraction):
    ordered = sorted(values)
    return ordered[max(1, math.ceil(fraction * len(ordered) - 1e-9)) - 1]


def bucket_width(value):
    lower = 0
    for edge in LATENCY_BUCKETS_MS:
        if value <= edge:
            return edge - lower
        lower = edge
    return math.inf


def figures_of(dashboard, name):
    return next(p for p in dashboard.providers if p.name == name).windows


def test_attempts_are_counted_per_provider_and_window():
    recent = NOW - 10 * MINUTE
    for _ in range(6):
        attempt("alpha", Outcome.ACCEPTED, recent, 100)
    attempt("alpha", Outcome.FAILED, recent, 2000)
    attempt("alpha", Outcome.UNKNOWN, recent, 2000)
    attempt("alpha", Outcome.REJECTED, NOW - 3 * HOUR, 50)
    attempt("alpha", Outcome.PENDING, NOW - 3 * HOUR)
    attempt("alpha", Outcome.ACCEPTED, NOW - 2 * dt.timedelta(days=1), 100)  # outside both windows
    attempt("gone", Outcome.ACCEPTED, recent, 100)  # a provider no longer configured

    alpha = figures_of(delivery_dashboard(NOW), "alpha")
    assert (alpha["hour"].attempts, alpha["hour"].accepted, alpha["hour"].failed) == (8, 6, 2)
    assert alpha["hour"].accepted_share == 0.75
    assert alpha["hour"].failed_share == 0.25
    assert (alpha["day"].attempts, alpha["day"].accepted, alpha["day"].failed) == (10, 6, 3)
    assert alpha["day"].failed_share == 0.3
    # Only accepted tries count towards the provider's answer time.
    assert alpha["hour"].attempt_latency.count == 6
    assert alpha["hour"].attempt_latency.percentile(0.99) == 100


def test_a_provider_without_traffic_has_zeros_and_no_shares():
    beta = figures_of(delivery_dashboard(NOW), "beta")
    for window in ("hour", "day"):
        figures = beta[window]
        assert (figures.attempts, figures.sent, figures.final_receipts) == (0, 0, 0)
        assert figures.accepted_share is None
        assert figures.delivered_share is None
        assert figures.attempt_latency.percentile(0.5) is None


def test_delivered_share_counts_only_messages_with_a_final_receipt():
    recent = NOW - 5 * MINUTE
    for _ in range(3):
        sent("alpha", recent, status=Status.DELIVERED, accept_ms=400, delivery_ms=3000)
    sent("alpha", recent, status=Status.FAILED, accept_ms=400)  # "not delivered" receipt
    sent("alpha", recent, status=Status.SENT, accept_ms=400)  # no receipt yet
    sent("alpha", NOW - 5 * HOUR, status=Status.DELIVERED, accept_ms=400, delivery_ms=3000)
    message(status=Status.FAILED, provider="", sent_at=None)  # never accepted: not "sent"

    alpha = figures_of(delivery_dashboard(NOW), "alpha")
    assert (alpha["hour"].sent, alpha["hour"].delivered, alpha["hour"].final_receipts) == (5, 3, 4)
    assert alpha["hour"].delivered_share == 0.75
    assert (alpha["day"].sent, alpha["day"].delivered, alpha["day"].final_receipts) == (6, 4, 5)
    assert alpha["day"].delivered_share == 0.8
    assert alpha["hour"].accept_latency.count == 5
    assert alpha["hour"].delivery_latency.count == 3


def test_percentile_estimates_are_within_their_bucket():
    # Spread over several buckets, with a long tail, as acceptance times are.
    attempt_latencies = [37 + (index * index * 7) % 4000 for index in range(200)] + [95_000, 250_000]
    accept_latencies = [120 + index * 31 for index in range(150)]
    delivery_latencies = [800 + (index * 977) % 90_000 for index in range(120)]
    recent = NOW - 20 * MINUTE
    for value in attempt_latencies:
        attempt("alpha", Outcome.ACCEPTED, recent, value)
    for value in accept_latencies:
        sent("beta", recent, accept_ms=value)
    for value in delivery_latencies:
        sent("beta", recent, status=Status.DELIVERED, delivery_ms=value)

    dashboard = delivery_dashboard(NOW)
    alpha, beta = figures_of(dashboard, "alpha")["hour"], figures_of(dashboard, "beta")["hour"]
    for histogram, values, fractions in (
        (alpha.attempt_latency, attempt_latencies, (0.5, 0.9, 0.99)),
        (beta.accept_latency, accept_latencies, (0.5, 0.99)),
        (beta.delivery_latency, delivery_latencies, (0.5, 0.9)),
    ):
        assert histogram.count == len(values)
        for fraction in fractions:
            exact = exact_percentile(values, fraction)
            estimate = histogram.percentile(fraction)
            assert abs(estimate - exact) <= bucket_width(exact), (fraction, exact, estimate)
            assert min(values) <= estimate <= max(values)


def test_a_single_value_is_its_own_percentile():
    attempt("alpha", Outcome.ACCEPTED, NOW - MINUTE, 1234)
    histogram = figures_of(delivery_dashboard(NOW), "alpha")["hour"].attempt_latency
    assert [histogram.percentile(f) for f in (0.5, 0.9, 0.99)] == [1234, 1234, 1234]


def test_values_above_the_last_bucket_are_bounded_by_the_largest_seen():
    for value in (4_000_000, 5_000_000):
        sent("alpha", NOW - MINUTE, status=Status.DELIVERED, delivery_ms=value)
    histogram = figures_of(delivery_dashboard(NOW), "alpha")["hour"].delivery_latency
    assert LATENCY_BUCKETS_MS[-1] < histogram.percentile(0.5) <= 5_000_000
    assert histogram.percentile(0.99) <= 5_000_000


def test_figures_per_mobile_operator():
    recent = NOW - 10 * MINUTE
    korek = sent("alpha", recent, status=Status.DELIVERED, operator="korek", accept_ms=300, delivery_ms=2000)
    attempt("alpha", Outcome.FAILED, recent, 2000, to=korek)
    attempt("beta", Outcome.ACCEPTED, recent, 150, to=korek)
    sent("beta", recent, status=Status.FAILED, operator="zain")
    attempt("beta", Outcome.ACCEPTED, NOW - 2 * HOUR, 150, to=sent("beta", NOW - 2 * HOUR, operator="zain"))

    operators = {row.code: row for row in delivery_dashboard(NOW).operators}
    assert list(operators)[:4] == ["korek", "asiacell", "zain", "omnnea"]
    assert operators["korek"].name == "Korek Telecom"
    korek_hour = operators["korek"].windows["hour"]
    assert (korek_hour.attempts, korek_hour.accepted, korek_hour.failed) == (2, 1, 1)
    assert (korek_hour.sent, korek_hour.delivered, korek_hour.final_receipts) == (1, 1, 1)
    zain = operators["zain"].windows
    assert (zain["hour"].sent, zain["hour"].delivered_share) == (1, 0.0)
    assert (zain["day"].sent, zain["day"].attempts) == (2, 1)
    assert operators["omnnea"].windows["day"].sent == 0
    assert "" not in operators  # no e-mail or foreign traffic: no "other" row


def test_provider_state_is_shown_with_configuration():
    ProviderState.objects.create(name="beta", paused=True, paused_at=NOW, health=0.4, health_reason="slow")
    dashboard = delivery_dashboard(NOW)
    alpha, beta = dashboard.providers
    assert (alpha.name, alpha.weight, alpha.health, alpha.paused) == ("alpha", 70, 1.0, False)
    assert (beta.name, beta.weight, beta.health, beta.health_reason, beta.paused) == ("beta", 30, 0.4, "slow", True)
    assert beta.channels == ("sms", "email")


def test_waiting_messages_by_status_with_the_stuck_ones():
    message(status=Status.CREATED, next_attempt_at=NOW, created_at=NOW - MINUTE)
    message(status=Status.CREATED, next_attempt_at=NOW - 2 * MINUTE, created_at=NOW - 3 * MINUTE)  # lost by a queue
    message(status=Status.QUEUED, priority=Priority.URGENT, next_attempt_at=NOW - 10 * dt.timedelta(seconds=1))
    message(status=Status.QUEUED, next_attempt_at=NOW + MINUTE)
    message(status=Status.SENDING, lease_until=NOW - MINUTE)  # its worker is gone
    message(status=Status.SENDING, lease_until=NOW + MINUTE)
    message(status=Status.DELIVERED)

    waiting = {row.status: row for row in delivery_dashboard(NOW).waiting}
    assert [row for row in waiting] == ["created", "queued", "sending"]
    assert (waiting["created"].count, waiting["created"].overdue) == (2, 1)
    assert waiting["created"].oldest == NOW - 3 * MINUTE
    assert (waiting["queued"].count, waiting["queued"].overdue) == (2, 1)
    assert (waiting["sending"].count, waiting["sending"].overdue) == (2, 1)


def test_the_number_of_queries_does_not_grow_with_the_rows():
    def queries():
        with CaptureQueriesContext(connection) as captured:
            delivery_dashboard(NOW)
        return len(captured)

    empty = queries()
    recent = NOW - 10 * MINUTE
    for index in range(30):
        row = sent(
            "alpha" if index % 2 else "beta", recent, status=Status.DELIVERED, accept_ms=index, delivery_ms=index
        )
        attempt(row.provider, Outcome.ACCEPTED, recent, 10 * index, to=row)
    assert queries() == empty <= 10


def test_now_defaults_to_the_current_time():
    attempt("alpha", Outcome.ACCEPTED, timezone.now() - MINUTE, 10)
    assert figures_of(delivery_dashboard(), "alpha")["hour"].attempts == 1


def test_messages_without_an_operator_get_their_own_row_in_every_window():
    sent("beta", NOW - 3 * HOUR, status=Status.DELIVERED, operator="", delivery_ms=900)  # an e-mail
    other = {row.code: row for row in delivery_dashboard(NOW).operators}[""]
    assert other.windows["hour"].sent == 0
    assert (other.windows["day"].sent, other.windows["day"].delivered_share) == (1, 1.0)
