"""The delivery engine failing over between real local HTTP gateways: weights, outages, stalls, pauses, expiry.

Each gateway is a real server on 127.0.0.1 (tests/peers/http_gateway.py) that records every message it
took, so "exactly once" is checked where a citizen would notice: at the gateways.
"""

import datetime as dt
import time
from collections import Counter

import pytest
from django.core.cache import cache
from django.utils import timezone

from bawaba.notifications import routing
from bawaba.notifications.constants import FailureKind, Outcome, Status
from bawaba.notifications.delivery import deliver
from bawaba.notifications.health import adjust_health
from bawaba.notifications.models import Attempt, Message, ProviderState
from bawaba.notifications.services import send, set_paused
from bawaba.notifications.sweeper import sweep
from tests.peers.http_gateway import HttpGateway, provider_entry

pytestmark = pytest.mark.django_db(transaction=True)

NUMBER = "+9647701234567"
CODE = {"code": "482913", "minutes": 5}


@pytest.fixture(autouse=True)
def _embedded(settings):
    # Deliver inline even when REDIS_URL is set; urgent tries give up quickly on a stalled gateway.
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.BAWABA_NOTIFY_URGENT_ATTEMPT_TIMEOUT = 0.5
    cache.clear()
    yield
    cache.clear()


def use(settings, *weighted: tuple[HttpGateway, int]) -> None:
    settings.BAWABA_NOTIFY_PROVIDERS = [provider_entry(gateway, weight=weight) for gateway, weight in weighted]


def code() -> Message:
    return send("verification_code", to=NUMBER, values=CODE, priority="urgent")


def notice() -> Message:
    return send("provider_test", to=NUMBER, values={"provider": "failover"})


def fresh(message: Message) -> Message:
    return Message.objects.get(pk=message.pk)


def taken_by(*gateways: HttpGateway) -> Counter[str]:
    """How many times each message reference was taken, over all the gateways."""
    return Counter(ref for gateway in gateways for ref in gateway.references("accepted"))


def outcomes(message: Message) -> list[tuple[str, str]]:
    return list(Attempt.objects.filter(message=message).order_by("pk").values_list("provider", "outcome"))


def make_due(message: Message, seconds_ago: int = 120) -> None:
    """Time moved on: the message's next try is due (and overdue for the sweeper)."""
    Message.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now() - dt.timedelta(seconds=seconds_ago))


def test_traffic_is_split_by_weight(gateways, settings):
    alpha, beta, gamma = gateways("alpha"), gateways("beta"), gateways("gamma")
    use(settings, (alpha, 60), (beta, 30), (gamma, 10))
    messages = [notice() for _ in range(300)]
    counts = {gateway.name: len(gateway.accepted) for gateway in (alpha, beta, gamma)}
    # Expected 180 / 90 / 30; the bounds are about five standard deviations wide.
    assert 137 <= counts["alpha"] <= 223, counts
    assert 50 <= counts["beta"] <= 130, counts
    assert 8 <= counts["gamma"] <= 56, counts
    assert taken_by(alpha, beta, gamma) == Counter({str(message.pk): 1 for message in messages})
    assert set(Message.objects.values_list("status", flat=True)) == {Status.SENT}


def test_urgent_codes_go_to_the_secondary_when_the_primary_refuses_connections_each_exactly_once(gateways, settings):
    primary, secondary = gateways("primary"), gateways("secondary")
    use(settings, (primary, 100), (secondary, 0))
    primary.refuse()
    messages = [code() for _ in range(10)]
    for message in messages:
        message = fresh(message)
        assert (message.status, message.provider) == (Status.SENT, "secondary")
    assert taken_by(primary, secondary) == Counter({str(message.pk): 1 for message in messages})
    assert primary.received == []
    # The first code found the primary down; its breaker then sent the rest straight to the secondary.
    assert outcomes(messages[0]) == [("primary", Outcome.FAILED), ("secondary", Outcome.ACCEPTED)]
    assert set(Attempt.objects.filter(provider="primary").values_list("outcome", flat=True)) == {Outcome.FAILED}


def test_a_stalled_primary_is_left_after_the_urgent_timeout_and_never_asked_again(gateways, settings):
    primary, secondary = gateways("primary"), gateways("secondary")
    use(settings, (primary, 100), (secondary, 0))
    primary.stall()  # holds every request until the test ends, never taking it
    message = code()
    assert fresh(message).provider == "secondary"
    assert outcomes(message) == [("primary", Outcome.UNKNOWN), ("secondary", Outcome.ACCEPTED)]
    assert primary.references("stalled") == [str(message.pk)]
    assert taken_by(primary, secondary) == Counter({str(message.pk): 1})


def test_a_provider_that_may_have_a_message_is_not_asked_again_even_when_it_is_the_only_one_up(gateways, settings):
    primary, secondary = gateways("primary"), gateways("secondary")
    use(settings, (primary, 100), (secondary, 0))
    primary.stall()
    secondary.refuse()
    message = code()
    assert fresh(message).status == Status.QUEUED
    assert outcomes(message) == [("primary", Outcome.UNKNOWN), ("secondary", Outcome.FAILED)]

    primary.accept()  # the primary is back, the secondary still down
    routing.breaker.reset()
    make_due(message, seconds_ago=10)
    deliver(message.pk)
    assert fresh(message).status == Status.QUEUED
    assert primary.references() == [str(message.pk)]  # still only the stalled request

    secondary.accept()
    make_due(message, seconds_ago=10)
    deliver(message.pk)
    message = fresh(message)
    assert (message.status, message.provider) == (Status.SENT, "secondary")
    assert primary.references() == [str(message.pk)]
    assert taken_by(primary, secondary) == Counter({str(message.pk): 1})


def test_a_paused_provider_gets_nothing_until_resumed(gateways, settings):
    alpha, beta = gateways("alpha"), gateways("beta")
    use(settings, (alpha, 50), (beta, 50))
    set_paused("alpha", True)
    paused = [notice() for _ in range(20)]
    assert alpha.received == []
    assert taken_by(beta) == Counter({str(message.pk): 1 for message in paused})

    set_paused("alpha", False)
    for _ in range(40):
        notice()
    assert alpha.accepted  # about half; none at all would be a 1 in 10^12 chance


@pytest.mark.parametrize("make", [code, notice], ids=["urgent", "normal"])
def test_with_every_provider_down_a_message_waits_and_is_sent_once_one_recovers(gateways, settings, make):
    alpha, beta = gateways("alpha"), gateways("beta")
    use(settings, (alpha, 50), (beta, 50))
    alpha.refuse()
    beta.refuse()
    message = make()
    waiting = fresh(message)
    assert waiting.status == Status.QUEUED
    assert waiting.next_attempt_at is not None
    assert waiting.next_attempt_at > timezone.now()
    assert sorted(outcomes(message)) == [("alpha", Outcome.FAILED), ("beta", Outcome.FAILED)]

    sweep()  # not due yet: nothing is tried
    assert fresh(message).status == Status.QUEUED
    assert Attempt.objects.filter(message=message).count() == 2

    beta.accept()
    make_due(message)
    report = sweep()
    message = fresh(message)
    assert report.requeued == 1
    assert (message.status, message.provider) == (Status.SENT, "beta")
    assert message.rounds == 2
    assert taken_by(alpha, beta) == Counter({str(message.pk): 1})


@pytest.mark.parametrize("redrive", ["sweeper", "delivery"])
def test_an_urgent_code_past_its_expiry_is_never_sent_even_when_a_provider_comes_back(gateways, settings, redrive):
    alpha, beta = gateways("alpha"), gateways("beta")
    use(settings, (alpha, 50), (beta, 50))
    alpha.refuse()
    beta.refuse()
    message = send("verification_code", to=NUMBER, values=CODE, priority="urgent", expires_in=30)
    assert fresh(message).status == Status.QUEUED

    alpha.accept()
    beta.accept()
    past = timezone.now() - dt.timedelta(seconds=1)
    Message.objects.filter(pk=message.pk).update(expires_at=past, next_attempt_at=past - dt.timedelta(seconds=10))
    if redrive == "sweeper":
        sweep()
    else:
        deliver(message.pk)
    deliver(message.pk)  # and a late task for it changes nothing
    message = fresh(message)
    assert message.status == Status.EXPIRED
    assert message.redacted
    assert alpha.received == []
    assert beta.received == []


def test_a_permanent_rejection_fails_the_message_without_trying_another_provider(gateways, settings):
    primary, secondary = gateways("primary"), gateways("secondary")
    use(settings, (primary, 100), (secondary, 0))
    primary.reject(400, {"status": "invalid_number", "error": {"code": "E21"}})
    message = fresh(code())
    assert message.status == Status.FAILED
    assert message.failure_kind == FailureKind.PERMANENT
    assert outcomes(message) == [("primary", Outcome.REJECTED)]
    assert secondary.received == []


def share_of(name: str, draws: int = 4000) -> float:
    """The share routing gives `name` by weight and health alone (the per-process breaker is left out)."""
    routing.forget_states()
    routing.breaker.reset()
    chosen = Counter(config.name for config in (routing.choose("sms") for _ in range(draws)) if config)
    return chosen[name] / draws


def test_errors_lower_a_providers_share_and_it_drifts_back_as_it_recovers(gateways, settings):
    alpha, beta = gateways("alpha"), gateways("beta")
    use(settings, (alpha, 50), (beta, 50))
    alpha.refuse()
    while Attempt.objects.filter(provider="alpha", outcome=Outcome.FAILED).count() < 6:
        routing.breaker.reset()  # as if each message came a while after the last
        notice()
    assert set(Message.objects.values_list("provider", flat=True)) == {"beta"}
    assert 0.45 <= share_of("alpha") <= 0.55  # health is only measured every 30 s

    alpha.accept()
    adjust_health()
    assert ProviderState.objects.get(name="alpha").health == pytest.approx(0.5)
    assert ProviderState.objects.get(name="beta").health == pytest.approx(1.0)
    assert 0.29 <= share_of("alpha") <= 0.38  # 25 / (25 + 50)

    later = timezone.now() + dt.timedelta(minutes=6)  # the failures have left the 5-minute window
    healths = []
    for step in range(5):
        adjust_health(now=later + dt.timedelta(seconds=30 * step))
        healths.append(ProviderState.objects.get(name="alpha").health)
    assert healths == pytest.approx([0.6, 0.7, 0.8, 0.9, 1.0])
    assert 0.45 <= share_of("alpha") <= 0.55


class _Draw:
    """routing's random source, made to pick the first or the last weighted provider in turn."""

    def __init__(self, *ends: str) -> None:
        self.ends = list(ends)

    def uniform(self, low: float, high: float) -> float:
        return low if self.ends.pop(0) == "first" else high


def test_a_recovered_provider_is_tried_again_once_its_breaker_time_is_up(gateways, settings, monkeypatch):
    alpha, beta = gateways("alpha"), gateways("beta")
    use(settings, (alpha, 50), (beta, 50))
    monkeypatch.setattr(routing, "BREAKER_BASE_SECONDS", 0.05)
    alpha.refuse()
    monkeypatch.setattr(routing, "_rng", _Draw("first", "last"))
    failed = notice()  # alpha refuses, beta takes it; alpha's breaker opens for 0.05 s
    assert outcomes(failed) == [("alpha", Outcome.FAILED), ("beta", Outcome.ACCEPTED)]
    alpha.accept()
    time.sleep(0.2)  # past the breaker's open time: alpha is half open, nobody is probing it

    monkeypatch.setattr(routing, "_rng", _Draw("last", "first"))
    assert fresh(notice()).provider == "beta"  # the draw picked beta; alpha was only looked at
    assert fresh(notice()).provider == "alpha"  # the draw picks alpha, which nobody has probed yet


def test_a_gateway_refusing_everything_for_its_own_reasons_hands_the_code_to_the_next(gateways, settings):
    alpha, beta = gateways("alpha"), gateways("beta")
    use(settings, (alpha, 100), (beta, 0))
    alpha.reject(400, {"error": {"code": "invalid_sender_id"}})
    message = fresh(code())
    assert message.status == Status.SENT
    assert message.provider == "beta"
    assert outcomes(message) == [("alpha", Outcome.FAILED), ("beta", Outcome.ACCEPTED)]


def test_a_refusal_the_operator_marked_as_about_the_number_fails_the_message_at_once(gateways, settings):
    alpha, beta = gateways("alpha"), gateways("beta")
    use(settings, (alpha, 100), (beta, 0))
    alpha.reject(200, {"status": "invalid_number"})
    message = fresh(code())
    assert message.status == Status.FAILED
    assert outcomes(message) == [("alpha", Outcome.REJECTED)]
    assert beta.references() == []
