"""The sweeper re-drives what got stuck, takes messages back from dead workers and expires the stale."""

import datetime as dt
import json

import pytest
from django.utils import timezone

from bawaba.notifications.constants import FailureKind, Outcome, ReceiptStatus, Status
from bawaba.notifications.models import Attempt, DeliveryReceipt, Message, MessageTemplate
from bawaba.notifications.receipts import UNMATCHED_RECEIPT_PATIENCE, record_receipt
from bawaba.notifications.services import send
from bawaba.notifications.sweeper import sweep

pytestmark = pytest.mark.django_db(transaction=True)


def lines(path):
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


@pytest.fixture
def two_outboxes(settings, tmp_path):
    """Two providers that are both real files: enough to see which one got what."""
    first, second = tmp_path / "first.jsonl", tmp_path / "second.jsonl"
    settings.BAWABA_NOTIFY_PROVIDERS = [
        {"name": "first", "kind": "outbox", "channels": ["sms"], "weight": 100, "options": {"path": str(first)}},
        {"name": "second", "kind": "outbox", "channels": ["sms"], "weight": 0, "options": {"path": str(second)}},
    ]
    return first, second


def stored(status, *, priority="urgent", seconds_ago=30, expires_in=300, template="provider_test"):
    now = timezone.now()
    created = now - dt.timedelta(seconds=seconds_ago)
    return Message.objects.create(
        template=MessageTemplate.objects.get(name=template),
        channel="sms",
        recipient="+9647701234567",
        language="ar",
        body="رسالة",
        priority=priority,
        status=status,
        created_at=created,
        next_attempt_at=created,
        expires_at=now + dt.timedelta(seconds=expires_in) if expires_in is not None else None,
    )


def test_a_message_the_queue_never_got_is_sent_by_the_sweep(two_outboxes):
    message = stored(Status.CREATED)
    report = sweep()
    assert report.requeued == 1
    message.refresh_from_db()
    assert message.status == Status.SENT
    assert message.sweeps == 1
    assert [line["message_id"] for line in lines(two_outboxes[0])] == [str(message.pk)]


def test_a_message_held_by_a_dead_worker_goes_to_another_provider_never_the_same(two_outboxes):
    message = stored(Status.SENDING)
    Message.objects.filter(pk=message.pk).update(lease_until=timezone.now() - dt.timedelta(seconds=1))
    Attempt.objects.create(message=message, provider="first", started_at=timezone.now() - dt.timedelta(seconds=20))
    report = sweep()
    assert report.taken_back == 1
    message.refresh_from_db()
    assert message.status == Status.SENT
    assert message.provider == "second"
    assert lines(two_outboxes[0]) == []  # "first" may already have it: it is not asked again
    assert message.attempts.get(provider="first").outcome == Outcome.UNKNOWN


def test_a_live_worker_keeps_its_message(two_outboxes):
    message = stored(Status.SENDING)
    Message.objects.filter(pk=message.pk).update(lease_until=timezone.now() + dt.timedelta(seconds=30))
    assert sweep().taken_back == 0
    message.refresh_from_db()
    assert message.status == Status.SENDING


def test_an_urgent_code_past_its_expiry_is_never_sent(two_outboxes):
    message = stored(Status.QUEUED, template="verification_code", expires_in=-1)
    assert sweep().expired == 1
    message.refresh_from_db()
    assert message.status == Status.EXPIRED
    assert message.redacted
    assert message.body == ""
    assert lines(two_outboxes[0]) == lines(two_outboxes[1]) == []


def test_a_normal_message_gives_up_after_its_retry_window(settings, two_outboxes):
    message = stored(
        Status.QUEUED, priority="normal", expires_in=None, seconds_ago=settings.BAWABA_NOTIFY_NORMAL_TTL + 5
    )
    sweep()
    message.refresh_from_db()
    assert message.status == Status.FAILED
    assert message.failure_kind == FailureKind.TEMPORARY


def test_a_failing_provider_leaves_the_message_queued_for_a_later_round(settings, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    settings.BAWABA_NOTIFY_PROVIDERS = [
        {"name": "broken", "kind": "outbox", "channels": ["sms"], "options": {"path": str(blocker / "outbox.jsonl")}}
    ]
    message = send("provider_test", to="07701234567", values={"provider": "x"})
    message.refresh_from_db()
    assert message.status == Status.QUEUED
    assert message.next_attempt_at > timezone.now()
    assert message.attempts.get().outcome == Outcome.FAILED

    fixed = tmp_path / "fixed.jsonl"
    settings.BAWABA_NOTIFY_PROVIDERS = [
        {"name": "broken", "kind": "outbox", "channels": ["sms"], "options": {"path": str(fixed)}}
    ]
    Message.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now() - dt.timedelta(minutes=2))
    sweep()
    message.refresh_from_db()
    assert message.status == Status.SENT  # the same provider may be asked again: it surely had nothing
    assert len(lines(fixed)) == 1


def test_a_receipt_that_beats_the_sent_record_is_applied_later(two_outboxes):
    message = send("provider_test", to="07701234567", values={"provider": "x"})
    message.refresh_from_db()
    early = record_receipt(provider="first", provider_reference="not-yet-known", status=ReceiptStatus.DELIVERED)
    early.refresh_from_db()
    assert early.processed_at is None
    Message.objects.filter(pk=message.pk).update(provider_reference="not-yet-known")
    DeliveryReceipt.objects.filter(pk=early.pk).update(received_at=timezone.now() - dt.timedelta(seconds=10))
    assert sweep().receipts == 1
    message.refresh_from_db()
    assert message.status == Status.DELIVERED
    assert message.delivery_latency_ms is not None


def test_a_receipt_matching_nothing_is_dropped_after_a_while(two_outboxes):
    receipt = record_receipt(provider="first", provider_reference="forged", status=ReceiptStatus.DELIVERED)
    DeliveryReceipt.objects.filter(pk=receipt.pk).update(
        received_at=timezone.now() - UNMATCHED_RECEIPT_PATIENCE - dt.timedelta(seconds=1)
    )
    sweep()
    receipt.refresh_from_db()
    assert receipt.processed_at is not None
    assert receipt.message is None


def test_an_undelivered_receipt_fails_the_message_for_good(two_outboxes):
    message = send("provider_test", to="07701234567", values={"provider": "x"})
    message.refresh_from_db()
    record_receipt(
        provider=message.provider,
        provider_reference=message.provider_reference,
        status=ReceiptStatus.UNDELIVERED,
        provider_status="UNDELIV",
    )
    message.refresh_from_db()
    assert message.status == Status.FAILED
    assert message.failure_kind == FailureKind.PERMANENT
    assert "UNDELIV" in message.failure_reason


def test_a_worker_whose_lease_was_taken_over_can_neither_record_nor_try_again(two_outboxes):
    from bawaba.notifications import delivery

    message = stored(Status.QUEUED)
    slow_worker_view = delivery.waiting_message(message.pk)
    held, attempt = delivery.claim(slow_worker_view, "first", timezone.now())
    assert held
    # The slow worker outlives its lease; the sweeper hands the message to another worker, which sends it.
    Message.objects.filter(pk=message.pk).update(lease_until=timezone.now() - dt.timedelta(seconds=1))
    sweep()
    message.refresh_from_db()
    assert message.status == Status.SENT
    assert message.provider == "second"
    # The slow worker comes back: it may not open another try, nor overwrite what the other recorded.
    assert delivery._next_attempt(slow_worker_view, "second", timezone.now()) is None
    assert not delivery._finish(slow_worker_view, status=Status.FAILED)
    message.refresh_from_db()
    assert message.status == Status.SENT
    assert message.attempts.filter(provider="second").count() == 1
