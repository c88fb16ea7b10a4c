"""SmppProvider: the provider contract (send, close) over SMPP sessions; see the package docstring."""

from __future__ import annotations

import itertools
import logging
import secrets
import threading
import time
from collections.abc import Collection
from typing import Any

from django.utils import timezone
from smpplib import consts
from smpplib.smpp import make_pdu

from bawaba.notifications.constants import Channel
from bawaba.notifications.providers.base import (
    Accepted,
    OutgoingMessage,
    PermanentFailure,
    Provider,
    TemporaryFailure,
)
from bawaba.notifications.providers.smpp.addresses import address_type
from bawaba.notifications.providers.smpp.encoding import encode_sms
from bawaba.notifications.providers.smpp.message_ids import SentPart
from bawaba.notifications.providers.smpp.options import SmppOptions
from bawaba.notifications.providers.smpp.receipt_store import ReceiptStore
from bawaba.notifications.providers.smpp.receipt_worker import ReceiptWorker
from bawaba.notifications.providers.smpp.session import (
    ESME_ROK,
    BindRefused,
    LinkError,
    NoAnswer,
    Response,
    Session,
)
from bawaba.notifications.providers.smpp.throttle import TokenBucket
from bawaba.notifications.providers.smpp.validity import relative_validity_period

logger = logging.getLogger(__name__)

THROTTLING_STATUSES = frozenset({consts.SMPP_ESME_RTHROTTLED, consts.SMPP_ESME_RMSGQFUL})
# The number itself is wrong (SMPP 3.4 §5.1.3): no other SMSC will do better.
PERMANENT_STATUSES = frozenset({consts.SMPP_ESME_RINVDSTADR, consts.SMPP_ESME_RINVDSTTON, consts.SMPP_ESME_RINVDSTNPI})


class SmppProvider(Provider):
    kind = "smpp"
    channels = frozenset({Channel.SMS.value})

    def __init__(self, name: str, options: dict[str, Any], *, channels: Collection[str] | None = None) -> None:
        super().__init__(name, options, channels=channels)
        self.config = SmppOptions.parse(name, options)
        self._lock = threading.Lock()  # held while connecting, so one thread binds and the others wait
        self._sessions: dict[str, Session] = {}
        self._is_closed = False
        self._connect_failures = 0
        self._retry_at = 0.0
        self._last_connect_error: TemporaryFailure | None = None
        self._receiver_retry_at = 0.0
        self._throttle = TokenBucket(self.config.tps)
        self._receipt_store = ReceiptStore(name, self.config)
        self._receipts = ReceiptWorker(name, self._receipt_store.store)
        self._concatenation = itertools.count(secrets.randbelow(256))

    # sending

    def send(self, message: OutgoingMessage, *, timeout: float) -> Accepted:
        deadline = time.monotonic() + timeout
        parts, data_coding, esm_class = encode_sms(message.body, next(self._concatenation))
        # Every part the same period, counted from now: the SMSC should give up on all of them together.
        validity_period = (
            relative_validity_period(message.expires_at, timezone.now()) if self.config.validity_period else ""
        )
        source, source_ton, source_npi = self._source(message)
        session = self._session(deadline)
        accepted: list[str] = []
        for number, short_message in enumerate(parts, start=1):
            if not self._throttle.take(deadline):
                raise self._not_sent(
                    f"tps {self.config.tps:g} leaves no room within {timeout:g} s", "smpp_throttled_locally", accepted
                )
            wants_receipt = self.config.receipts_for == "every" or number == len(parts)
            pdu = make_pdu(
                "submit_sm",
                client=session.sequence,
                service_type=self.config.service_type,
                source_addr_ton=source_ton,
                source_addr_npi=source_npi,
                source_addr=source,
                dest_addr_ton=self.config.dest_addr_ton,
                dest_addr_npi=self.config.dest_addr_npi,
                destination_addr=message.to.lstrip("+"),
                esm_class=esm_class,
                validity_period=validity_period,
                registered_delivery=1 if wants_receipt else 0,
                data_coding=data_coding,
                short_message=short_message,
            )
            sent = SentPart(accepted[0] if accepted else "", number, len(parts))
            try:
                response = session.request(pdu, deadline, on_accepted=self._receipt_store.remembering(sent))
            except NoAnswer as exc:
                raise TemporaryFailure(f"SMSC {self.name}: {exc}", code="smpp_no_answer", maybe_accepted=True) from exc
            except LinkError as exc:
                raise self._not_sent(f"SMSC {self.name}: {exc}", "smpp_link", accepted) from exc
            if response.status != ESME_ROK or response.command != "submit_sm_resp":
                raise self._refused(session, response, accepted)
            accepted.append(response.message_id)
        if not accepted[0]:
            logger.warning("SMSC %s accepted message %s without giving an id", self.name, message.message_id)
        self._receipt_store.share_parts(accepted)
        return Accepted(reference=accepted[0])

    def _not_sent(self, text: str, code: str, accepted: list[str]) -> TemporaryFailure:
        if accepted:
            # Earlier parts already went: asking another provider is fine, asking this one again is not.
            text = f"{text} (after {len(accepted)} part(s) were accepted)"
        return TemporaryFailure(text, code=code, maybe_accepted=bool(accepted))

    def _refused(self, session: Session, response: Response, accepted: list[str]) -> Exception:
        status = response.status
        text = f"SMSC {self.name}: {consts.DESCRIPTIONS.get(status, 'unknown error')} (0x{status:08X})"
        code = f"smpp_0x{status:x}"
        if status in PERMANENT_STATUSES or status in self.config.permanent_errors:
            return PermanentFailure(text, code=code)
        if status == consts.SMPP_ESME_RINVBNDSTS or response.command != "submit_sm_resp":
            session.close(unbind=False)  # the SMSC thinks we are not bound: bind again next time
        if status in THROTTLING_STATUSES:
            code = "smpp_throttled"
        return self._not_sent(text, code, accepted)

    def _source(self, message: OutgoingMessage) -> tuple[str, int, int]:
        if message.sender:
            derived = address_type(message.sender)
            if derived is not None:
                return derived
            logger.warning("Sender of template %s cannot be an SMPP address; using the default", message.template)
        configured = self.config.source_addr
        address, ton, npi = address_type(configured) or (configured, consts.SMPP_TON_UNK, consts.SMPP_NPI_UNK)
        if self.config.source_addr_ton is not None:
            ton = self.config.source_addr_ton
        if self.config.source_addr_npi is not None:
            npi = self.config.source_addr_npi
        return address, ton, npi

    # sessions

    def _session(self, deadline: float) -> Session:
        """The bound session to send on, opening it (and the receiver, if separate) when needed."""
        if not self._lock.acquire(timeout=max(0.0, deadline - time.monotonic())):
            raise TemporaryFailure(f"SMSC {self.name}: still connecting", code="smpp_connecting")
        try:
            if self._is_closed:
                raise TemporaryFailure(f"SMSC {self.name}: provider closed", code="smpp_closed")
            session = self._sessions.get("send")
            if session is None or not session.is_alive:
                if session is not None:
                    session.close(unbind=False)
                bind_command = "bind_transceiver" if self.config.bind == "transceiver" else "bind_transmitter"
                session = self._open(bind_command, deadline)
                self._sessions["send"] = session
            if self.config.bind == "transmitter+receiver":
                self._ensure_receiver(deadline)
            return session
        finally:
            self._lock.release()

    def _open(self, bind_command: str, deadline: float) -> Session:
        now = time.monotonic()
        if now < self._retry_at and self._last_connect_error is not None:
            last = self._last_connect_error
            raise TemporaryFailure(f"{last} (next try in {self._retry_at - now:.1f} s)", code=last.code)
        session = Session(self.name, self.config, bind_command, self._receipt_arrived)
        try:
            session.open(deadline)
        except LinkError as exc:
            self._connect_failures += 1
            # Back off (0.5 s doubling to 30 s) so a dead SMSC costs each try nothing but this check.
            self._retry_at = time.monotonic() + min(30.0, 0.5 * 2 ** (self._connect_failures - 1))
            code = "smpp_bind_refused" if isinstance(exc, BindRefused) else "smpp_unreachable"
            self._last_connect_error = TemporaryFailure(f"SMSC {self.name}: {exc}", code=code)
            logger.warning("SMPP provider %s: %s", self.name, exc)
            raise self._last_connect_error from exc
        self._connect_failures, self._retry_at, self._last_connect_error = 0, 0.0, None
        logger.info("SMPP provider %s bound to %s:%s (%s)", self.name, self.config.host, self.config.port, bind_command)
        return session

    def _ensure_receiver(self, deadline: float) -> None:
        receiver = self._sessions.get("receive")
        if receiver is not None and receiver.is_alive:
            return
        if time.monotonic() < self._receiver_retry_at:
            return
        if receiver is not None:
            receiver.close(unbind=False)
        session = Session(self.name, self.config, "bind_receiver", self._receipt_arrived)
        try:
            session.open(deadline)
        except LinkError as exc:
            # Sending works without it; receipts wait at the SMSC until the next try.
            self._receiver_retry_at = time.monotonic() + 30
            logger.warning("SMPP provider %s: no receiver session (%s)", self.name, exc)
            return
        self._sessions["receive"] = session

    def close(self) -> None:
        with self._lock:
            self._is_closed = True
            sessions = list(self._sessions.values())
            self._sessions.clear()
        for session in sessions:
            session.close(unbind=True)
        self._receipts.stop()

    # receipts

    def _receipt_arrived(self, session: Session, pdu: Any) -> None:
        self._receipts.put(session, pdu)
