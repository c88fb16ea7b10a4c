"""A resent code keeps away from the provider that carried the last one, unless no other can take it.

The SMS providers are real local HTTP gateways (tests/peers/http_gateway.py), so where each code went
is read at the gateways, as a citizen's phone would see it.
"""

import datetime as dt
from collections import Counter

import pytest
from django.core.cache import cache
from django.utils import timezone

from bawaba.notifications import routing
from bawaba.notifications.constants import Outcome, Status
from bawaba.notifications.delivery import deliver
from bawaba.notifications.models import Attempt, Message
from bawaba.notifications.selectors import message_provider
from bawaba.notifications.services import send, set_paused
from tests.peers.http_gateway import HttpGateway, provider_entry

pytestmark = pytest.mark.django_db(transaction=True)

NUMBER = "+9647701234567"
CODE = {"code": "482913", "minutes": 5}


@pytest.fixture(autouse=True)
def _embedded(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.BAWABA_NOTIFY_URGENT_ATTEMPT_TIMEOUT = 0.5
    cache.clear()
    yield
    cache.clear()


def use(settings, *weighted: tuple[HttpGateway, int]) -> None:
    settings.BAWABA_NOTIFY_PROVIDERS = [provider_entry(gateway, weight=weight) for gateway, weight in weighted]


def code(avoid=()) -> Message:
    message = send("verification_code", to=NUMBER, values=CODE, priority="urgent", avoid_providers=avoid)
    return Message.objects.get(pk=message.pk)


def tries(message: Message) -> list[tuple[str, str]]:
    return list(Attempt.objects.filter(message=message).order_by("pk").values_list("provider", "outcome"))


@pytest.fixture
def two(gateways, settings):
    """Two SMS gateways with equal weights: without avoidance, each takes about half the codes."""
    alpha, beta = gateways("alpha"), gateways("beta")
    use(settings, (alpha, 100), (beta, 100))
    return alpha, beta


def test_a_resend_avoids_the_provider_of_the_code_that_never_came(two):
    alpha, beta = two
    pairs = []
    for _ in range(20):
        first = code()
        resent = code(avoid=[message_provider(first.pk)])
        pairs.append((first.provider, resent.provider))
    assert all(first != again for first, again in pairs), pairs
    assert {first for first, _again in pairs} == {"alpha", "beta"}  # both were used for first codes
    taken = Counter(ref for gateway in (alpha, beta) for ref in gateway.references("accepted"))
    assert set(taken.values()) == {1}  # no code went out twice
    assert len(taken) == 40


def test_a_resend_prefers_a_standby_to_the_provider_it_avoids(gateways, settings):
    primary, standby = gateways("primary"), gateways("standby")
    use(settings, (primary, 100), (standby, 0))
    first = code()
    resent = code(avoid=[first.provider])
    assert (first.provider, resent.provider) == ("primary", "standby")
    assert resent.avoid_providers == ["primary"]
    assert tries(resent) == [("standby", Outcome.ACCEPTED)]


def test_the_avoided_provider_still_sends_the_code_when_the_other_cannot(gateways, settings):
    primary, standby = gateways("primary"), gateways("standby")
    use(settings, (primary, 100), (standby, 0))
    standby.refuse()
    resent = code(avoid=["primary"])
    assert (resent.status, resent.provider) == (Status.SENT, "primary")
    assert tries(resent) == [("standby", Outcome.FAILED), ("primary", Outcome.ACCEPTED)]
    # The standby's breaker is open now: the next resend goes straight to the provider it avoids.
    again = code(avoid=["primary"])
    assert tries(again) == [("primary", Outcome.ACCEPTED)]
    assert primary.references("accepted") == [str(resent.pk), str(again.pk)]


def test_the_avoided_provider_is_used_when_the_only_other_one_is_paused(two):
    set_paused("beta", True)
    resent = code(avoid=["alpha"])
    assert tries(resent) == [("alpha", Outcome.ACCEPTED)]


def test_avoidance_holds_for_the_first_round_only(gateways, settings):
    primary, standby = gateways("primary"), gateways("standby")
    use(settings, (primary, 100), (standby, 0))
    primary.refuse()
    standby.refuse()
    resent = code(avoid=["primary"])
    assert resent.status == Status.QUEUED
    assert tries(resent) == [("standby", Outcome.FAILED), ("primary", Outcome.FAILED)]

    primary.accept()
    standby.accept()
    routing.breaker.reset()
    Message.objects.filter(pk=resent.pk).update(next_attempt_at=timezone.now() - dt.timedelta(seconds=5))
    deliver(resent.pk)
    # The second round chooses as for any message: the weighted primary before the standby.
    assert tries(resent)[2:] == [("primary", Outcome.ACCEPTED)]
    assert Message.objects.get(pk=resent.pk).provider == "primary"


def test_a_provider_that_may_have_the_message_is_never_asked_again_whatever_is_avoided(gateways, settings):
    primary, standby = gateways("primary"), gateways("standby")
    use(settings, (primary, 100), (standby, 0))
    standby.stall()  # takes the request and never answers: it may have the code
    primary.refuse()
    resent = code(avoid=["primary"])
    assert tries(resent) == [("standby", Outcome.UNKNOWN), ("primary", Outcome.FAILED)]
    standby.accept()
    primary.accept()
    routing.breaker.reset()
    Message.objects.filter(pk=resent.pk).update(next_attempt_at=timezone.now() - dt.timedelta(seconds=5))
    deliver(resent.pk)
    assert tries(resent)[2:] == [("primary", Outcome.ACCEPTED)]
    assert primary.references("accepted") == [str(resent.pk)]


def test_a_single_name_is_one_provider_and_names_are_stored_once_each(two):
    assert code(avoid="alpha").avoid_providers == ["alpha"]
    assert code(avoid=("beta", "alpha", "beta", "")).avoid_providers == ["alpha", "beta"]
    assert code().avoid_providers == []


def test_avoiding_an_unknown_provider_changes_nothing(gateways, settings):
    only = gateways("only")
    use(settings, (only, 100))
    assert code(avoid=["gone-since"]).provider == "only"


# -- which provider took a message ------------------------------------------------------------------


def test_message_provider_names_the_provider_that_accepted_it(two):
    message = code()
    assert message_provider(message.pk) == message.provider
    assert message_provider(str(message.pk)) == message.provider


def test_message_provider_is_empty_before_a_provider_accepts_it_and_for_unknown_ids(gateways, settings):
    down = gateways("down")
    use(settings, (down, 100))
    down.refuse()
    message = code()
    assert message.status == Status.QUEUED
    assert message_provider(message.pk) == ""
    assert message_provider("6f1c1d8e-0000-4000-8000-000000000000") == ""
    assert message_provider("not-an-id") == ""


# -- choosing, without the delivery engine -----------------------------------------------------------


@pytest.fixture
def three_outboxes(settings, tmp_path):
    settings.BAWABA_NOTIFY_PROVIDERS = [
        {"name": "big", "kind": "outbox", "weight": 90, "options": {"path": str(tmp_path / "big")}},
        {"name": "small", "kind": "outbox", "weight": 10, "options": {"path": str(tmp_path / "small")}},
        {"name": "standby", "kind": "outbox", "weight": 0, "options": {"path": str(tmp_path / "standby")}},
    ]


def picks(count=300, **options):
    return Counter(routing.choose("sms", **options).name for _ in range(count))


def test_choose_passes_over_avoided_providers_while_another_is_ready(three_outboxes):
    assert set(picks(avoid={"big"})) == {"small"}
    assert set(picks(avoid={"big", "small"})) == {"standby"}
    routing.report_failure("standby")
    assert set(picks(avoid={"big", "small"})) == {"big", "small"}  # back to the weights among them


def test_choose_returns_an_avoided_provider_rather_than_none(three_outboxes):
    assert routing.choose("sms", exclude={"small", "standby"}, avoid={"big"}).name == "big"
    set_paused("big", True)
    assert routing.choose("sms", exclude={"small", "standby"}, avoid={"big"}) is None  # paused stays paused
