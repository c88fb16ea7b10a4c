"""Hand a stored message to a queue, or, in the embedded mode without a broker, deliver it at once.

Never raises: the message is already safe in the database, and if the queue cannot take it now the
sweeper will hand it over again. A web request that stored a message must not fail because Redis did.
"""

from __future__ import annotations

import logging
import time
import uuid
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from bawaba.notifications.constants import Priority

logger = logging.getLogger(__name__)

EMBEDDED_SWEEP_EVERY = 15  # seconds
EMBEDDED_SWEEP_BATCH = 20
# After a failed publish this process leaves new messages to the sweeper for a while, so a request that
# stores many messages while Redis is silent waits for the broker once, not once per message.
PUBLISH_PAUSE_SECONDS = 5.0
_publishing_paused_until = 0.0


def queue_for(priority: str) -> str:
    return "urgent" if priority == Priority.URGENT else "normal"


def embedded() -> bool:
    return bool(settings.CELERY_TASK_ALWAYS_EAGER)


def enqueue(message_id: uuid.UUID | str, priority: str, *, countdown: float | None = None) -> bool:
    """True when the queue (or the embedded deliverer) took it; False leaves it to the sweeper."""
    from bawaba.notifications.delivery import deliver
    from bawaba.notifications.tasks import deliver_message

    if embedded():
        if countdown:
            return True  # no timer without a worker: the next sweep sends it when it is due
        try:
            deliver(message_id)
        except Exception:
            logger.exception("Delivering message %s failed; the sweeper will try again", message_id)
        maybe_sweep()
        return True
    return publish(deliver_message, [str(message_id)], queue=queue_for(priority), countdown=countdown)


def publish(task: Any, args: list[Any], *, queue: str, countdown: float | None = None) -> bool:
    """Put a task on a queue; False (at once, during a pause) if the broker failed. Never raises."""
    global _publishing_paused_until
    if time.monotonic() < _publishing_paused_until:
        return False  # the broker failed moments ago: don't make this request wait for it again
    try:
        task.apply_async(args=args, queue=queue, countdown=countdown)
    except Exception as exc:
        _publishing_paused_until = time.monotonic() + PUBLISH_PAUSE_SECONDS
        logger.warning("Could not queue %s%s (%s); the sweeper will do it", task.name, args, exc)
        return False
    return True


def maybe_sweep() -> None:
    """Without beat, the embedded mode sweeps now and then on the back of ordinary sending."""
    if not embedded():
        return
    if cache.add("notifications:embedded-sweep", timezone.now().isoformat(), EMBEDDED_SWEEP_EVERY):
        from bawaba.notifications.sweeper import sweep

        try:
            # A small batch: this runs inside whichever request happened to send a message.
            sweep(limit=EMBEDDED_SWEEP_BATCH)
        except Exception:
            logger.exception("The embedded sweep failed")
