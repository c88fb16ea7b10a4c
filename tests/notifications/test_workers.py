"""With real Redis and real Celery workers: nothing is lost and nothing is sent twice when a worker or Redis dies.

Every test starts its own redis-server and `celery -A config worker` processes on the test database,
so it needs PostgreSQL, as production does: several processes writing at once, row locks, and
PostgreSQL's own view of who waits for whom (pg_blocking_pids) to stop a worker at an exact step.
The outbox file is the "phone": each line is one message handed over, so a message id written twice
is a citizen who got two texts.

Time is moved forward by ageing the stored rows (`_as_if_later`), never by waiting a minute for
leases and grace periods to run out; that is only done while no live worker holds a message.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import logging
import secrets
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO

import pytest
from django.db import connection, transaction
from django.db.models import F, Max

from bawaba.notifications.constants import WAITING_STATUSES, FailureKind, Outcome, Priority, Status
from bawaba.notifications.delivery import MIN_LEASE_SECONDS
from bawaba.notifications.models import Attempt, Message
from bawaba.notifications.services import send
from bawaba.notifications.sweeper import NORMAL_GRACE, sweep
from tests.notifications.workers_harness import (
    REDIS_SERVER,
    CeleryWorker,
    RedisServer,
    forget_producers,
    wait_until,
    worker_database_url,
    worker_environment,
)

logger = logging.getLogger(__name__)

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="Celery worker processes must share the test database: run with DATABASE_URL=postgres://…",
    ),
    pytest.mark.skipif(not Path(REDIS_SERVER).exists(), reason="redis-server is not installed"),
    pytest.mark.django_db(transaction=True),
]

OUTBOX_ONLY = [{"name": "outbox", "kind": "outbox", "channels": ["sms", "email", "push"], "weight": 100}]
DONE_STATUSES = (Status.SENT, Status.DELIVERED, Status.FAILED, Status.EXPIRED)
# Generous: a worker start is a few seconds; this only stops a stuck test from eating CI's budget.
DEADLINE = 60


# --- peers -----------------------------------------------------------------------------------


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path / "redis")
    server.start()
    yield server
    server.kill()


@pytest.fixture
def broker(redis_server: RedisServer, settings) -> Iterator[RedisServer]:
    """This test process publishes to the private Redis instead of delivering in-process."""
    from config.celery import app

    saved = {"broker_url": app.conf.broker_url, "task_always_eager": app.conf.task_always_eager}
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = redis_server.url
    settings.BAWABA_NOTIFY_PROVIDERS = OUTBOX_ONLY
    forget_producers(app)  # pooled producer connections still point at the previous broker
    app.conf.update(broker_url=redis_server.url, task_always_eager=False)
    yield redis_server
    forget_producers(app)
    app.conf.update(saved)


@pytest.fixture
def start_worker(
    transactional_db, broker: RedisServer, settings, tmp_path: Path
) -> Iterator[Callable[..., list[CeleryWorker]]]:
    """Start named workers (ready when this returns); all are stopped before the database is emptied."""
    environment = worker_environment(
        database_url=worker_database_url(),
        broker_url=broker.url,
        outbox_file=Path(settings.BAWABA_OUTBOX_FILE),
        providers_json=json.dumps(OUTBOX_ONLY),
        var_dir=tmp_path / "var",
        secret_key=secrets.token_urlsafe(50),
    )
    started: list[CeleryWorker] = []

    def start(*names: str, queues: tuple[str, ...] | None = None, concurrency: int = 2) -> list[CeleryWorker]:
        workers = []
        for name in names:
            options = {"queues": queues} if queues else {}
            worker = CeleryWorker(
                name, environment=environment, log_dir=tmp_path / "logs", concurrency=concurrency, **options
            )
            started.append(worker)
            worker.start()
            workers.append(worker)
        for worker in workers:  # started together, so they boot in parallel
            worker.wait_ready()
        return workers

    yield start
    for worker in started:
        worker.kill()  # its queue and database are thrown away: no need to wait for a warm shutdown


# --- messages and what the outbox says ---------------------------------------------------------


def _send(number: int, priority: str) -> str:
    to = f"07701{number:06d}"
    if priority == Priority.URGENT:
        values: dict[str, object] = {"code": f"{number:06d}", "minutes": 5}
        return str(send("verification_code", to=to, values=values, priority=priority).pk)
    return str(send("provider_test", to=to, values={"provider": "outbox"}).pk)


def _burst(count: int, *, start: int = 0) -> list[str]:
    """Every third message urgent (a one-time code), the rest normal notices."""
    return [
        _send(number, Priority.URGENT if number % 3 == 0 else Priority.NORMAL) for number in range(start, start + count)
    ]


def _outbox_records(settings) -> list[dict[str, object]]:
    path = Path(settings.BAWABA_OUTBOX_FILE)
    if not path.exists():
        return []
    text = path.read_text(encoding="utf-8")
    complete = text[: text.rfind("\n") + 1]  # a worker may be writing the last line right now
    return [json.loads(line) for line in complete.splitlines()]


def _outbox_counts(settings) -> Counter[str]:
    return Counter(str(record["message_id"]) for record in _outbox_records(settings))


def _unfinished(ids: list[str]) -> int:
    return Message.objects.filter(pk__in=ids).exclude(status__in=DONE_STATUSES).count()


def _wait_until_finished(ids: list[str], *, sweeping: bool = False) -> None:
    def finished() -> bool:
        if sweeping:
            sweep()  # at the real time: re-drives only what is overdue, so never a live worker's message
        return _unfinished(ids) == 0

    wait_until(finished, timeout=DEADLINE, what=f"{len(ids)} messages to be finished", every=0.2)


def _assert_each_sent_once(ids: list[str], settings) -> None:
    counts = _outbox_counts(settings)
    assert {message_id: n for message_id, n in counts.items() if n > 1} == {}, "sent twice"
    assert set(counts) == set(ids), "lost or unexpected messages"
    assert Counter(Message.objects.filter(pk__in=ids).values_list("status", flat=True)) == {Status.SENT: len(ids)}


def _as_if_later(ids: list[str]) -> None:
    """Move the messages' clocks back past every lease and grace period, as if a minute had gone by.

    Only while no live worker holds a message: a live worker's lease would look expired too.
    """
    longest_lease = Message.objects.filter(pk__in=ids, status=Status.SENDING).aggregate(Max("lease_until"))
    lease_left = (longest_lease["lease_until__max"] or dt.datetime.now(dt.UTC)) - dt.datetime.now(dt.UTC)
    shift = max(lease_left, dt.timedelta(seconds=MIN_LEASE_SECONDS), NORMAL_GRACE) + dt.timedelta(seconds=1)
    Message.objects.filter(pk__in=ids).exclude(status__in=DONE_STATUSES).update(
        created_at=F("created_at") - shift,
        next_attempt_at=F("next_attempt_at") - shift,
        lease_until=F("lease_until") - shift,
        expires_at=F("expires_at") - shift,
    )


# --- the tests ---------------------------------------------------------------------------------


def test_a_burst_is_delivered_once_by_two_workers(start_worker, settings):
    start_worker("alpha", "beta")
    ids = _burst(300)
    _wait_until_finished(ids)
    _assert_each_sent_once(ids, settings)


def test_a_worker_killed_mid_burst_loses_nothing_and_sends_nothing_twice(start_worker, broker, settings):
    doomed, survivor = start_worker("doomed", "survivor")
    ids = _burst(150)
    wait_until(lambda: sum(_outbox_counts(settings).values()) >= 40, timeout=DEADLINE, what="the first deliveries")
    doomed.kill()  # with its two pool processes, each most likely in the middle of a delivery
    ids += _burst(150, start=150)
    wait_until(lambda: broker.queue_length("urgent", "normal") == 0, timeout=DEADLINE, what="the survivor to drain")
    survivor.stop()  # warm shutdown: it finishes what it holds
    # Now nobody alive holds a message: whatever is still "sending" was in the killed worker's hands.
    in_hand = {str(pk) for pk in Message.objects.filter(pk__in=ids, status=Status.SENDING).values_list("pk", flat=True)}
    assert len(in_hand) <= doomed.concurrency
    _as_if_later(ids)
    assert sweep().taken_back == len(in_hand)
    start_worker("fresh")
    _wait_until_finished(ids, sweeping=True)

    counts = _outbox_counts(settings)
    assert {message_id: n for message_id, n in counts.items() if n > 1} == {}, "sent twice"
    others = [message_id for message_id in ids if message_id not in in_hand]
    assert set(counts) - in_hand == set(others), "lost messages"
    assert Counter(Message.objects.filter(pk__in=others).values_list("status", flat=True)) == {Status.SENT: len(others)}
    # What the killed worker held had a try open (a claim and its first try are one commit); that try
    # is now "unknown", so the outbox is never asked again and, with a single provider, the message
    # ends failed rather than possibly reaching the citizen twice. The two tests below pin down both
    # sides of that moment: killed before the outbox wrote the line, and after.
    unfinished_business: Counter[tuple[str, tuple[str, ...], int]] = Counter()
    for message in Message.objects.filter(pk__in=in_hand):
        outcomes = tuple(message.attempts.values_list("outcome", flat=True))
        unfinished_business[(message.status, outcomes, counts[str(message.pk)])] += 1
        if message.status == Status.SENT:
            assert counts[str(message.pk)] == 1
        else:
            assert (message.status, message.failure_kind) == (Status.FAILED, FailureKind.TEMPORARY)
    if unfinished_business:
        logger.warning("Held by the killed worker (status, tries, outbox lines): %s", dict(unfinished_business))


class _OutboxLock:
    """Holds the outbox file's lock, so a worker's outbox provider waits in the middle of sending."""

    def __init__(self, settings) -> None:
        self.path = Path(settings.BAWABA_OUTBOX_FILE)
        self.handle: IO[str] | None = None

    def acquire(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.handle = self.path.open("a", encoding="utf-8")
        fcntl.flock(self.handle, fcntl.LOCK_EX)

    def release(self) -> None:
        if self.handle is not None:
            fcntl.flock(self.handle, fcntl.LOCK_UN)
            self.handle.close()
            self.handle = None


def _outcomes(message_id: str) -> list[str]:
    return list(Attempt.objects.filter(message_id=message_id).values_list("outcome", flat=True))


def test_a_worker_killed_while_asking_the_provider_never_asks_it_again(start_worker, settings):
    [doomed] = start_worker("doomed", concurrency=1)
    outbox = _OutboxLock(settings)
    outbox.acquire()
    try:
        message_id = _send(1, Priority.URGENT)
        wait_until(lambda: _outcomes(message_id) == [Outcome.PENDING], timeout=DEADLINE, what="the try to start")
        doomed.kill()  # while its outbox provider waits for the file
    finally:
        outbox.release()
    _as_if_later([message_id])
    assert sweep().taken_back == 1
    start_worker("fresh")
    _wait_until_finished([message_id], sweeping=True)

    message = Message.objects.get(pk=message_id)
    assert (message.status, message.failure_kind) == (Status.FAILED, FailureKind.TEMPORARY)
    assert _outcomes(message_id) == [Outcome.UNKNOWN]
    assert _outbox_counts(settings) == Counter()  # asked once, no answer, and not asked again


def _backends_blocked_by_this_one() -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pid FROM pg_stat_activity WHERE pg_backend_pid() = ANY(pg_blocking_pids(pid))")
        return [row[0] for row in cursor.fetchall()]


def test_a_worker_killed_after_the_provider_accepted_never_sends_it_twice(start_worker, settings):
    [doomed] = start_worker("doomed", concurrency=1)
    outbox = _OutboxLock(settings)
    outbox.acquire()
    try:
        message_id = _send(1, Priority.URGENT)
        wait_until(lambda: _outcomes(message_id) == [Outcome.PENDING], timeout=DEADLINE, what="the try to start")
        with transaction.atomic():
            # The outbox may now take the message, but the worker cannot yet write down that it did.
            Message.objects.select_for_update().filter(pk=message_id).exists()
            outbox.release()
            wait_until(_backends_blocked_by_this_one, timeout=DEADLINE, what="the worker to record the outcome")
            doomed.kill()
            # Its last statement waits for our lock; on a machine that died a moment earlier it was never sent.
            for pid in _backends_blocked_by_this_one():
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    finally:
        outbox.release()
    assert _outbox_counts(settings) == Counter({message_id: 1})  # the citizen has it…
    assert Message.objects.get(pk=message_id).status == Status.SENDING  # …but nobody wrote that down
    _as_if_later([message_id])
    assert sweep().taken_back == 1
    start_worker("fresh")
    _wait_until_finished([message_id], sweeping=True)

    # The accepted risk: "unknown" means never ask that provider again, so no second copy; with only
    # one provider configured the message is marked failed although it most likely arrived.
    message = Message.objects.get(pk=message_id)
    assert (message.status, message.failure_kind) == (Status.FAILED, FailureKind.TEMPORARY)
    assert _outcomes(message_id) == [Outcome.UNKNOWN]
    assert _outbox_counts(settings) == Counter({message_id: 1})


def test_send_never_hangs_or_fails_while_redis_is_down_and_the_sweeper_catches_up(start_worker, broker, settings):
    workers = start_worker("alpha", "beta")
    ids = _burst(100)
    broker.kill()  # while the workers are still delivering the first messages
    stranded = []
    slowest = 0.0
    for number in range(100, 160):
        started = time.monotonic()
        message_id = _send(number, Priority.URGENT if number % 3 == 0 else Priority.NORMAL)
        slowest = max(slowest, time.monotonic() - started)
        stranded.append(message_id)
    # A hang guard, not a speed measure: the broker timeouts are a few seconds; a web request must
    # never wait on Redis longer than that.
    assert slowest < 10
    assert Counter(Message.objects.filter(pk__in=stranded).values_list("status", flat=True)) == {
        Status.CREATED: len(stranded)
    }
    ids += stranded

    connected = {worker.name: worker.connections() for worker in workers}
    broker.start()  # the same port, but empty: whatever was queued is gone
    for worker in workers:
        if not worker.wait_for_reconnection(connected[worker.name], timeout=DEADLINE):
            # Celery 5.7 / kombu 5.7 sometimes die of an AttributeError while restoring unacknowledged
            # tasks to a Redis that is gone ("Unrecoverable error"). Workers must run under a supervisor
            # that starts them again; this test plays that part.
            logger.warning("Worker %s exited while Redis was down; starting it again", worker.name)
            worker.restart()
    wait_until(
        lambda: not Message.objects.filter(pk__in=ids, status=Status.SENDING).exists(),
        timeout=DEADLINE,
        what="the workers to finish what they held when Redis went away",
    )
    _as_if_later(ids)
    sweep()
    _wait_until_finished(ids, sweeping=True)
    _assert_each_sent_once(ids, settings)


def test_a_task_lost_from_the_queue_is_driven_again_by_the_sweeper(start_worker, broker, settings):
    urgent = [_send(number, Priority.URGENT) for number in range(10)]
    normal = [_send(number, Priority.NORMAL) for number in range(10, 20)]
    assert broker.queue_length("urgent", "normal") == 20  # no worker yet: the tasks wait in Redis
    broker.client().flushall()  # …and are lost, as when Redis restarts without persistence
    start_worker("alpha")

    # Urgent messages: the sweeper's short grace passes for real.
    _wait_until_finished(urgent, sweeping=True)
    # Normal ones are not yet overdue: nothing sends them until their longer grace has passed.
    assert set(Message.objects.filter(pk__in=normal).values_list("status", flat=True)) <= WAITING_STATUSES
    _as_if_later(normal)
    _wait_until_finished(normal, sweeping=True)
    _assert_each_sent_once(urgent + normal, settings)


def test_urgent_messages_overtake_a_backlog_of_normal_ones(start_worker, settings):
    start_worker("urgent-only", queues=("urgent",))
    start_worker("normal-only", queues=("normal",), concurrency=1)
    with transaction.atomic():  # a bulk notice: all queued at once, on commit
        normal = [_send(number, Priority.NORMAL) for number in range(300)]
    urgent = [_send(number, Priority.URGENT) for number in range(300, 320)]
    _wait_until_finished(normal + urgent)
    _assert_each_sent_once(normal + urgent, settings)

    order = [str(record["message_id"]) for record in _outbox_records(settings)]
    last_urgent = max(order.index(message_id) for message_id in urgent)
    last_normal = max(order.index(message_id) for message_id in normal)
    assert last_urgent < last_normal


def test_send_returns_promptly_when_redis_stops_answering(broker):
    _send(0, Priority.NORMAL)  # a web process has its broker connection open already
    broker.freeze()
    try:
        started = time.monotonic()
        message_id = _send(1, Priority.URGENT)
        took = time.monotonic() - started
    finally:
        broker.thaw()
    # A hang guard, not a speed measure (see the test above).
    assert took < 10
    assert Message.objects.get(pk=message_id).status == Status.CREATED
