"""Delivery receipts: stored the moment they arrive, then applied to their message.

A receipt can beat the worker's own "sent" write (an SMSC answers deliver_sm within milliseconds),
so one that matches no message yet stays unapplied and the sweeper tries it again for a while.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.db import transaction
from django.utils import timezone

from bawaba.notifications.constants import FailureKind, ReceiptStatus, Status
from bawaba.notifications.models import DeliveryReceipt, Message

logger = logging.getLogger(__name__)

# How long an unmatched receipt keeps waiting for its message's "sent" to be written.
UNMATCHED_RECEIPT_PATIENCE = dt.timedelta(minutes=10)


def record_receipt(
    *,
    provider: str,
    provider_reference: str,
    status: str,
    provider_status: str = "",
    error_code: str = "",
    done_at: dt.datetime | None = None,
    payload: dict[str, Any] | None = None,
) -> DeliveryReceipt:
    """Store a receipt a provider sent (already checked to be genuine) and queue applying it."""
    if status not in ReceiptStatus.values:
        raise ValueError(f"unknown receipt status {status!r}")
    receipt = DeliveryReceipt.objects.create(
        provider=provider[:64],
        provider_reference=str(provider_reference)[:120],
        status=status,
        provider_status=provider_status[:32],
        error_code=str(error_code)[:32],
        done_at=done_at,
        received_at=timezone.now(),
        payload=payload or {},
    )
    transaction.on_commit(lambda: _queue_apply(receipt.pk), robust=True)
    return receipt


def _queue_apply(receipt_id: int) -> None:
    from bawaba.notifications.dispatch import embedded, publish
    from bawaba.notifications.tasks import apply_receipt_task

    if embedded():
        apply_receipt(receipt_id)
        return
    publish(apply_receipt_task, [receipt_id], queue="receipts")


def apply_receipt(receipt_id: int) -> bool:
    """Move the message on; True once the receipt is dealt with (applied, or given up on)."""
    receipt = DeliveryReceipt.objects.filter(pk=receipt_id, processed_at__isnull=True).first()
    if receipt is None:
        return True
    now = timezone.now()
    message = (
        Message.objects.filter(provider=receipt.provider, provider_reference=receipt.provider_reference)
        .only("pk", "status", "sent_at")
        .first()
    )
    if message is None:
        if now - receipt.received_at < UNMATCHED_RECEIPT_PATIENCE:
            return False
        logger.warning("Receipt %s from %s matches no message we sent; dropped", receipt.pk, receipt.provider)
        DeliveryReceipt.objects.filter(pk=receipt.pk).update(processed_at=now)
        return True
    if receipt.status == ReceiptStatus.DELIVERED:
        delivered_at = min(receipt.done_at or receipt.received_at, receipt.received_at)
        sent_at = message.sent_at or delivered_at
        # Provider clocks and ours disagree by seconds; a receipt "before" acceptance counts as instant.
        latency = max(0, round((delivered_at - sent_at).total_seconds() * 1000))
        Message.objects.filter(pk=message.pk, status=Status.SENT).update(
            status=Status.DELIVERED, delivered_at=delivered_at, delivery_latency_ms=latency, completed_at=now
        )
    elif receipt.status == ReceiptStatus.UNDELIVERED:
        why = receipt.provider_status or receipt.error_code or "no reason given"
        Message.objects.filter(pk=message.pk, status=Status.SENT).update(
            status=Status.FAILED,
            failure_kind=FailureKind.PERMANENT,
            failure_reason=f"The network could not deliver it ({why})"[:300],
            completed_at=now,
        )
    DeliveryReceipt.objects.filter(pk=receipt.pk).update(processed_at=now, message=message.pk)
    return True
