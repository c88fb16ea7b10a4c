"""Celery tasks; each is a thin door into a service module. Queues: urgent, normal, receipts, periodic."""

from celery import shared_task

from bawaba.notifications.delivery import deliver
from bawaba.notifications.health import adjust_health
from bawaba.notifications.receipts import apply_receipt
from bawaba.notifications.sweeper import sweep


@shared_task(name="notifications.deliver", ignore_result=True)
def deliver_message(message_id: str) -> None:
    deliver(message_id)


@shared_task(name="notifications.apply_receipt", ignore_result=True)
def apply_receipt_task(receipt_id: int) -> None:
    apply_receipt(receipt_id)


@shared_task(name="notifications.sweep", ignore_result=True)
def sweep_task() -> None:
    sweep()


@shared_task(name="notifications.adjust_health", ignore_result=True)
def adjust_health_task() -> None:
    adjust_health()
