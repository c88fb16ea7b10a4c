"""With real Redis, real Celery workers and real gateways: voice and WhatsApp codes, and resends that avoid a provider.

The workers are separate processes on the test's PostgreSQL database (as in test_workers.py); the
gateways are real HTTP servers on 127.0.0.1 in this process, which post signed receipts to a live
portal whose receipts the workers apply. What each gateway took is what a citizen's phone would get.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from bawaba.notifications.constants import Channel, Status
from bawaba.notifications.models import Message
from bawaba.notifications.selectors import message_provider
from bawaba.notifications.services import send
from bawaba.notifications.sweeper import sweep
from tests.notifications.workers_harness import (
    REDIS_SERVER,
    CeleryWorker,
    RedisServer,
    forget_producers,
    wait_until,
    worker_database_url,
    worker_environment,
)
from tests.peers.http_gateway import VOICE_OPTIONS, WHATSAPP_OPTIONS, HttpGateway, provider_entry

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="Celery worker processes must share the test database: run with DATABASE_URL=postgres://…",
    ),
    pytest.mark.skipif(not Path(REDIS_SERVER).exists(), reason="redis-server is not installed"),
    pytest.mark.django_db(transaction=True),
]

SECRET = "receipt-secret-for-tests-0123456789abcdef"
DEADLINE = 60
ACCEPTED = (Status.SENT, Status.DELIVERED)


@pytest.fixture
def lines(gateways, live_server) -> dict[str, HttpGateway]:
    """Two SMS gateways of equal weight, a voice gateway and a WhatsApp gateway, all posting receipts."""
    started = {
        "alpha": gateways("alpha", secret=SECRET),
        "beta": gateways("beta", secret=SECRET),
        "calls": gateways("calls", secret=SECRET, answer="voice"),
        "wa": gateways("wa", secret=SECRET, answer="whatsapp", reference_field="biz_opaque_callback_data"),
    }
    for name, gateway in started.items():
        gateway.receipts(to=live_server.url + reverse("notifications:http_receipt", args=[name]), delay=0.05)
    return started


def providers_for(lines: dict[str, HttpGateway]) -> list[dict[str, Any]]:
    return [
        provider_entry(lines["alpha"], receipt_secret=SECRET),
        provider_entry(lines["beta"], receipt_secret=SECRET),
        provider_entry(lines["calls"], channels=("voice",), base=VOICE_OPTIONS, receipt_secret=SECRET),
        provider_entry(lines["wa"], channels=("whatsapp",), base=WHATSAPP_OPTIONS, receipt_secret=SECRET),
    ]


@pytest.fixture
def worker(lines, settings, tmp_path: Path) -> Iterator[CeleryWorker]:
    """One `celery -A config worker` on every queue, publishing from this process to a private Redis."""
    from config.celery import app

    redis_server = RedisServer(tmp_path / "redis")
    redis_server.start()
    providers = providers_for(lines)
    saved = {"broker_url": app.conf.broker_url, "task_always_eager": app.conf.task_always_eager}
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = redis_server.url
    settings.BAWABA_NOTIFY_PROVIDERS = providers
    forget_producers(app)
    app.conf.update(broker_url=redis_server.url, task_always_eager=False)
    environment = worker_environment(
        database_url=worker_database_url(),
        broker_url=redis_server.url,
        outbox_file=Path(settings.BAWABA_OUTBOX_FILE),
        providers_json=json.dumps(providers),
        var_dir=tmp_path / "var",
        secret_key=secrets.token_urlsafe(50),
    )
    started = CeleryWorker("channels", environment=environment, log_dir=tmp_path / "logs", concurrency=4)
    started.start()
    try:
        started.wait_ready()
        yield started
    finally:
        started.kill()
        redis_server.kill()
        forget_producers(app)
        app.conf.update(saved)


def code(*, channel: str | None = None, avoid: tuple[str, ...] = (), language: str = "en") -> str:
    message = send(
        "verification_code",
        to="0770 123 4567",
        values={"code": "482913", "minutes": 5},
        priority="urgent",
        language=language,
        channel=channel,
        avoid_providers=avoid,
    )
    return str(message.pk)


def wait_for(message_ids: list[str], statuses: tuple[str, ...], what: str, *, sweeping: bool = False) -> None:
    def reached() -> bool:
        if sweeping:
            # A receipt that beat the worker's own "sent" write waits for a sweep; beat is not running here.
            # Only once every message is sent: a sweep "in the future" would push waiting messages' turns on.
            sweep(now=timezone.now() + dt.timedelta(seconds=10))
        return not Message.objects.filter(pk__in=message_ids).exclude(status__in=statuses).exists()

    wait_until(reached, timeout=DEADLINE, what=what, every=0.1)


def taken(*gateways: HttpGateway) -> Counter[str]:
    return Counter(reference for gateway in gateways for reference in gateway.references("accepted"))


def test_each_resend_goes_to_the_other_sms_provider(worker: CeleryWorker, lines: dict[str, HttpGateway]) -> None:
    pairs: list[tuple[str, str]] = []
    ids: list[str] = []
    for _ in range(12):
        first = code()
        wait_for([first], ACCEPTED, "the first code to be sent")
        again = code(avoid=(message_provider(first),))
        wait_for([again], ACCEPTED, "the resent code to be sent")
        pairs.append((message_provider(first), message_provider(again)))
        ids += [first, again]
    assert all(first != again for first, again in pairs), pairs
    assert {first for first, _again in pairs} == {"alpha", "beta"}
    assert taken(lines["alpha"], lines["beta"]) == Counter(dict.fromkeys(ids, 1))
    wait_for(ids, (Status.DELIVERED,), "every receipt to be applied", sweeping=True)


def test_voice_and_whatsapp_codes_reach_their_gateways_once_and_are_delivered(
    worker: CeleryWorker, lines: dict[str, HttpGateway]
) -> None:
    calls = [code(channel="voice", language=language) for language in ("ar", "ckb", "en")]
    whatsapps = [code(channel="whatsapp", language=language) for language in ("ar", "ckb", "en")]
    wait_for(calls + whatsapps, ACCEPTED, "the calls and WhatsApp messages to be sent")
    wait_for(calls + whatsapps, (Status.DELIVERED,), "their receipts to be applied", sweeping=True)

    assert taken(lines["calls"]) == Counter(dict.fromkeys(calls, 1))
    assert taken(lines["wa"]) == Counter(dict.fromkeys(whatsapps, 1))
    assert taken(lines["alpha"], lines["beta"]) == Counter()
    spoken = {request.reference: request.document for request in lines["calls"].accepted}
    english = spoken[calls[2]]
    assert (
        english["text"].split("\n\n")
        == ["Your Bawaba code is 4, 8, 2, 9, 1, 3. It expires in 5 minutes. Never share it."] * 2
    )
    assert [spoken[call]["language"] for call in calls] == ["ar-IQ", "ckb-IQ", "en-GB"]
    templates = {request.reference: request.document["template"] for request in lines["wa"].accepted}
    assert [templates[message]["language"]["code"] for message in whatsapps] == ["ar", "ckb", "en_GB"]
    assert {templates[message]["components"][0]["parameters"][0]["text"] for message in whatsapps} == {"482913"}

    rows = Message.objects.filter(pk__in=calls + whatsapps)
    assert Counter(rows.values_list("channel", "provider")) == {
        (Channel.VOICE, "calls"): 3,
        (Channel.WHATSAPP, "wa"): 3,
    }
    # Handed over, then erased: neither the text nor the values keep the code.
    assert set(rows.values_list("redacted", "body")) == {(True, "")}
    assert [row.template_values for row in rows] == [{}] * 6


def test_a_resend_falls_back_to_the_provider_it_avoids_when_the_other_is_down(
    worker: CeleryWorker, lines: dict[str, HttpGateway]
) -> None:
    lines["beta"].refuse()
    resent = [code(avoid=("alpha",)) for _ in range(5)]
    wait_for(resent, ACCEPTED, "the resent codes to be sent")
    assert {message_provider(message) for message in resent} == {"alpha"}
    assert taken(lines["alpha"]) == Counter(dict.fromkeys(resent, 1))
    assert lines["beta"].received == []
