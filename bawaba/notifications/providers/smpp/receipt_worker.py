"""Receipts stored in a thread of their own, so a slow database never holds up submit_sm responses."""

from __future__ import annotations

import heapq
import logging
import queue
import threading
import time
from collections.abc import Callable
from typing import Any

from django.db import DatabaseError, close_old_connections, connections
from smpplib import consts

from bawaba.notifications.providers.smpp.session import READ_TICK, Session
from bawaba.notifications.receipts import apply_receipt

logger = logging.getLogger(__name__)

RECEIPT_QUEUE_SIZE = 10_000
RECEIPT_RETRIES = 6  # re-applying a receipt that beat its message's "sent": 0.2 s doubling, about 13 s in all


class ReceiptWorker:
    """Stores receipts in their own thread, so a slow database never holds up submit_sm responses.

    deliver_sm is answered only once its receipt is stored (or known to be useless): a worker that
    dies first leaves it unanswered, and the SMSC sends it again.
    """

    def __init__(self, provider_name: str, store: Callable[[Any], tuple[int, int | None]]) -> None:
        self.provider_name = provider_name
        self._store = store
        self._queue: queue.Queue[tuple[Session, Any]] = queue.Queue(maxsize=RECEIPT_QUEUE_SIZE)
        self._retries: list[tuple[float, int, int]] = []
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def put(self, session: Session, pdu: Any) -> None:
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._stopping.clear()
                self._thread = threading.Thread(
                    target=self._run, name=f"smpp-receipts-{self.provider_name}", daemon=True
                )
                self._thread.start()
        try:
            self._queue.put_nowait((session, pdu))
        except queue.Full:
            logger.warning("Receipt queue of %s is full; asked the SMSC to send it again later", self.provider_name)
            session.answer("deliver_sm_resp", pdu.sequence, consts.SMPP_ESME_RX_T_APPN)

    def stop(self) -> None:
        with self._lock:
            thread, self._thread = self._thread, None
        self._stopping.set()
        if thread is not None:
            thread.join(timeout=10)

    def _run(self) -> None:
        try:
            while not self._stopping.is_set():
                wait = READ_TICK
                if self._retries:
                    wait = min(wait, max(0.0, self._retries[0][0] - time.monotonic()))
                try:
                    session, pdu = self._queue.get(timeout=wait)
                except queue.Empty:
                    pass
                else:
                    status, receipt_id = self._store(pdu)
                    session.answer("deliver_sm_resp", pdu.sequence, status)
                    if receipt_id is not None:
                        heapq.heappush(self._retries, (time.monotonic() + 0.2, receipt_id, 1))
                self._apply_due()
        except Exception:
            logger.exception("The SMPP receipt worker of %s stopped", self.provider_name)
        finally:
            connections.close_all()  # this thread's own database connections

    def _apply_due(self) -> None:
        # A receipt often arrives before delivery has written "sent"; try again shortly rather than
        # leave it for the sweeper.
        while self._retries and self._retries[0][0] <= time.monotonic():
            _due, receipt_id, tries = heapq.heappop(self._retries)
            try:
                close_old_connections()
                done = apply_receipt(receipt_id)
            except DatabaseError:
                logger.warning("Could not apply receipt %s yet; the sweeper will", receipt_id, exc_info=True)
                continue
            if not done and tries < RECEIPT_RETRIES:
                heapq.heappush(self._retries, (time.monotonic() + 0.2 * 2**tries, receipt_id, tries + 1))
