"""Choosing a provider: weights, pauses, standbys and the per-process circuit breaker."""

from collections import Counter

import pytest

from bawaba.notifications import routing
from bawaba.notifications.models import ProviderState
from bawaba.notifications.services import set_paused

pytestmark = pytest.mark.django_db


@pytest.fixture
def three(settings, tmp_path):
    settings.BAWABA_NOTIFY_PROVIDERS = [
        {"name": "big", "kind": "outbox", "weight": 90, "options": {"path": str(tmp_path / "big")}},
        {"name": "small", "kind": "outbox", "weight": 10, "options": {"path": str(tmp_path / "small")}},
        {"name": "standby", "kind": "outbox", "weight": 0, "options": {"path": str(tmp_path / "standby")}},
    ]


def picks(count=2000, exclude=()):
    return Counter(routing.choose("sms", exclude=exclude).name for _ in range(count))


def test_traffic_follows_the_weights_and_spares_the_standby(three):
    counts = picks()
    assert counts["standby"] == 0
    assert 0.8 < counts["big"] / 2000 < 0.97


def test_a_paused_provider_gets_nothing(three):
    set_paused("big", True)
    assert set(picks(200)) == {"small"}
    set_paused("big", False)
    assert "big" in picks(200)


def test_lower_health_means_a_smaller_share(three):
    ProviderState.objects.create(name="big", health=0.05)
    routing.forget_states()
    counts = picks()
    assert counts["small"] > counts["big"]


def test_the_breaker_sends_the_next_message_elsewhere_at_once(three):
    routing.report_failure("big")
    assert set(picks(200)) == {"small"}
    routing.report_success("big")
    assert "big" in picks(200)


def test_the_standby_steps_in_when_nothing_weighted_is_left(three):
    assert routing.choose("sms", exclude={"big", "small"}).name == "standby"


def test_when_everything_is_degraded_the_healthiest_is_still_tried(three):
    for name in ("big", "small", "standby"):
        routing.report_failure(name)
    assert routing.choose("sms").name == "big"


def test_nothing_left_means_none(three):
    set_paused("standby", True)
    assert routing.choose("sms", exclude={"big", "small"}) is None


def test_unknown_channel_has_no_provider(three):
    assert routing.choose("push") is None


def test_one_workers_failure_opens_the_breaker_for_every_worker(three):
    other_worker = routing._Breaker()
    other_worker._namespace = routing.breaker._namespace  # the same deployment, another process
    routing.report_failure("big")
    assert other_worker.is_open("big")
    routing.report_success("big")
    other_worker._shared_seen.clear()
    assert not other_worker.is_open("big")


def test_a_half_open_provider_is_probed_by_one_worker_at_a_time(three):
    import time

    from django.core.cache import cache

    cache.set(routing.breaker._key("big"), {"failures": 3, "until": time.time() - 1}, timeout=60)
    first, second = routing._Breaker(), routing._Breaker()
    first._namespace = second._namespace = routing.breaker._namespace
    assert first.state("big") == second.state("big") == routing.HALF_OPEN
    assert first.take_probe("big")  # this one probes
    assert not second.take_probe("big")  # the rest wait for the probe's outcome


def test_a_provider_holding_a_request_too_long_is_passed_over_before_any_timeout(three, monkeypatch):
    token = routing.in_flight.started("big")
    monkeypatch.setattr(routing, "SUSPECT_AT_LEAST_SECONDS", -1.0)  # as if that request began long ago
    assert set(picks(200)) == {"small"}
    routing.in_flight.ended("big", token)
    assert "big" in picks(200)


def test_a_provider_that_answers_fast_is_suspected_sooner_than_a_slow_steady_one(three):
    for name, took in (("big", 0.01), ("small", 0.5)):
        token = routing.in_flight.started(name)
        routing.in_flight._open[name][token] -= took
        routing.in_flight.ended(name, token, answered=True)
    assert routing.in_flight.patience("big") == routing.SUSPECT_AT_LEAST_SECONDS
    assert routing.in_flight.patience("small") == routing.SUSPECT_AFTER_SECONDS
    assert routing.in_flight.patience("never-answered") == routing.SUSPECT_AT_LEAST_SECONDS
