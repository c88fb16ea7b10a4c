"""One SMPP session: the socket, the bind, a reader thread, enquire_link, the window, and matching each
response to the sender waiting for it (docs/decisions/0007-smpp-with-smpplib.md says why it is ours)."""

from __future__ import annotations

import logging
import select
import socket
import struct
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from typing import Any

from smpplib import command_codes, consts
from smpplib import exceptions as smpp_errors
from smpplib.smpp import make_pdu, parse_pdu

from bawaba.notifications.providers.smpp.options import SmppOptions

logger = logging.getLogger(__name__)

ESME_ROK = consts.SMPP_ESME_ROK
MAX_PDU_LENGTH = 64 * 1024  # SMPP PDUs are a few hundred bytes; anything bigger means a broken stream
READ_TICK = 0.2  # how often the reader looks at its keep-alive clock when nothing arrives
UNBIND_WAIT = 1.0


class LinkError(Exception):
    """The session could not take the request: nothing reached the SMSC."""


class BindRefused(LinkError):
    pass


class NoAnswer(Exception):
    """The request went out and no response came: the SMSC may have acted on it."""


class SequenceNumbers:
    """Sequence numbers for one session (1 to 0x7FFFFFFF, SMPP 3.4 §3.2); smpplib asks its 'client'."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.sequence = 0

    def next_sequence(self) -> int:
        with self._lock:
            self.sequence = self.sequence % 0x7FFFFFFF + 1
            return self.sequence


class _NoSequence:
    """Stands in for smpplib's client when decoding, or building a response: both carry their own."""

    sequence = 0

    def next_sequence(self) -> int:
        return 0


NO_SEQUENCE = _NoSequence()


def build_response(command: str, sequence: int, status: int = ESME_ROK) -> Any:
    pdu = make_pdu(command, client=NO_SEQUENCE, status=status)
    pdu.sequence = sequence
    return pdu


@dataclass(frozen=True)
class Response:
    command: str
    status: int
    message_id: str


@dataclass
class _Waiting:
    future: Future[Response]
    on_accepted: Callable[[str], None] | None


class Session:
    """One TCP connection to the SMSC, bound, with a reader thread.

    Any thread may send; writes are serialised. The reader hands each response to the sender waiting
    for its sequence number, answers enquire_link, sends its own every interval, and gives deliver_sm
    to `on_deliver` (which must answer it). When the link fails, every waiting sender is told and the
    session is dead for good: the provider opens a new one.
    """

    def __init__(
        self, provider_name: str, options: SmppOptions, bind_command: str, on_deliver: Callable[[Session, Any], None]
    ) -> None:
        self.provider_name = provider_name
        self.options = options
        self.bind_command = bind_command
        self.sequence = SequenceNumbers()
        self._on_deliver = on_deliver
        self._socket: socket.socket | None = None
        self._buffer = bytearray()
        self._write_lock = threading.Lock()
        self._waiting_lock = threading.Lock()
        self._waiting: dict[int, _Waiting] = {}
        self._window = threading.BoundedSemaphore(options.window)
        self._dead = threading.Event()
        self._reader: threading.Thread | None = None
        self._enquire_sequence: int | None = None
        self._enquire_sent_at = 0.0
        self._last_enquire = 0.0

    @property
    def is_alive(self) -> bool:
        return self._socket is not None and not self._dead.is_set()

    # opening and closing

    def open(self, deadline: float) -> None:
        """Connect and bind within the connect timeout and the caller's deadline; then start reading."""
        opts = self.options
        limit = min(time.monotonic() + opts.connect_timeout, deadline)
        if limit - time.monotonic() <= 0:
            raise LinkError("no time left to connect")
        try:
            sock = socket.create_connection((opts.host, opts.port), timeout=limit - time.monotonic())
        except OSError as exc:
            raise LinkError(f"cannot connect to {opts.host}:{opts.port} ({exc})") from exc
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        bind = make_pdu(
            self.bind_command,
            client=self.sequence,
            system_id=opts.system_id,
            password=opts.password,
            system_type=opts.system_type,
            addr_ton=0,
            addr_npi=0,
            address_range="",
        )
        try:
            sock.sendall(bind.generate())
            status = self._bind_response(sock, bind.sequence, limit)
        except (OSError, LinkError) as exc:
            sock.close()
            raise LinkError(f"bind to {opts.host}:{opts.port} failed ({exc})") from exc
        if status != ESME_ROK:
            sock.close()
            description = consts.DESCRIPTIONS.get(status, "unknown status")
            raise BindRefused(f"the SMSC refused the bind as {opts.system_id!r}: {description} (0x{status:08X})")
        # From here the reader waits with select(); the socket timeout only bounds a stuck write.
        sock.settimeout(opts.connect_timeout)
        self._socket = sock
        self._last_enquire = time.monotonic()
        self._reader = threading.Thread(target=self._read_loop, name=f"smpp-reader-{self.provider_name}", daemon=True)
        self._reader.start()

    def _bind_response(self, sock: socket.socket, sequence: int, limit: float) -> int:
        while True:
            raw = self._next_pdu()
            if raw is not None:
                command_id, status, answered = struct.unpack(">LLL", raw[4:16])
                if answered == sequence and command_id & 0x80000000:
                    return int(status)
                continue  # nothing else should come before the bind response; whatever it is, skip it
            remaining = limit - time.monotonic()
            if remaining <= 0:
                raise LinkError("no answer to the bind in time")
            sock.settimeout(remaining)
            try:
                chunk = sock.recv(65536)
            except TimeoutError as exc:
                raise LinkError("no answer to the bind in time") from exc
            if not chunk:
                raise LinkError("the SMSC closed the connection")
            self._buffer += chunk

    def close(self, *, unbind: bool = True) -> None:
        if unbind and self.is_alive:
            try:
                self.request(make_pdu("unbind", client=self.sequence), time.monotonic() + UNBIND_WAIT)
            except (LinkError, NoAnswer):
                pass  # closing anyway
        self._fail("closed by Bawaba")
        if self._reader is not None and self._reader is not threading.current_thread():
            self._reader.join(timeout=READ_TICK * 10)

    def _fail(self, reason: str) -> None:
        with self._waiting_lock:
            first = not self._dead.is_set()
            self._dead.set()
            waiting = list(self._waiting.values())
            self._waiting.clear()
        for entry in waiting:
            entry.future.set_exception(LinkError(reason))
        if self._socket is not None:
            try:
                self._socket.shutdown(socket.SHUT_RDWR)  # wakes the reader, which closes the socket
            except OSError:
                pass
        if first and self._socket is not None:
            logger.info("SMPP link %s to %s closed: %s", self.provider_name, self.options.host, reason)

    # sending

    def request(self, pdu: Any, deadline: float, on_accepted: Callable[[str], None] | None = None) -> Response:
        """Send a request and wait for its response until `deadline` (monotonic)."""
        if not self._window.acquire(timeout=max(0.0, deadline - time.monotonic())):
            raise LinkError(f"{self.options.window} requests already wait for the SMSC")
        sequence = pdu.sequence
        try:
            future: Future[Response] = Future()
            with self._waiting_lock:
                if self._dead.is_set():
                    raise LinkError("the link is closed")
                self._waiting[sequence] = _Waiting(future, on_accepted)
            try:
                self._write(pdu)
            except LinkError:
                with self._waiting_lock:
                    self._waiting.pop(sequence, None)
                raise
            try:
                return future.result(timeout=max(0.0, deadline - time.monotonic()))
            except FutureTimeout as exc:
                raise NoAnswer(f"no {pdu.command}_resp within the timeout") from exc
            except LinkError as exc:
                raise NoAnswer(f"the link failed while waiting for {pdu.command}_resp ({exc})") from exc
            finally:
                with self._waiting_lock:
                    self._waiting.pop(sequence, None)
        finally:
            self._window.release()

    def answer(self, command: str, sequence: int, status: int = ESME_ROK) -> None:
        """Send a response; if the link is gone the SMSC will ask again on the next one."""
        try:
            self._write(build_response(command, sequence, status))
        except LinkError as exc:
            logger.info("Could not send %s on %s: %s", command, self.provider_name, exc)

    def _write(self, pdu: Any) -> None:
        data = pdu.generate()
        with self._write_lock:
            sock = self._socket
            if sock is None or self._dead.is_set():
                raise LinkError("the link is closed")
            try:
                sock.sendall(data)
            except OSError as exc:
                # Part of the PDU may have gone: the stream cannot be trusted any more.
                self._fail(f"write failed ({exc})")
                raise LinkError(f"write failed ({exc})") from exc

    # reading

    def _read_loop(self) -> None:
        sock = self._socket
        assert sock is not None  # noqa: S101  (started only once bound)
        reason = "closed"
        try:
            while not self._dead.is_set():
                while (raw := self._next_pdu()) is not None:
                    self._dispatch(raw)
                self._keep_alive()
                readable, _writable, _errors = select.select([sock], [], [], READ_TICK)
                if readable:
                    chunk = sock.recv(65536)
                    if not chunk:
                        raise LinkError("the SMSC closed the connection")
                    self._buffer += chunk
        except LinkError as exc:
            reason = str(exc)
        except (OSError, ValueError) as exc:
            reason = f"read failed ({exc})"
        except Exception:
            logger.exception("The SMPP reader for %s stopped on an unexpected error", self.provider_name)
            reason = "reader crashed"
        finally:
            self._fail(reason)
            sock.close()

    def _next_pdu(self) -> bytes | None:
        if len(self._buffer) < 4:
            return None
        (length,) = struct.unpack(">L", self._buffer[:4])
        if not 16 <= length <= MAX_PDU_LENGTH:
            raise LinkError(f"a PDU of {length} bytes: the stream is out of step")
        if len(self._buffer) < length:
            return None
        raw = bytes(self._buffer[:length])
        del self._buffer[:length]
        return raw

    def _keep_alive(self) -> None:
        now = time.monotonic()
        if self._enquire_sequence is not None:
            if now - self._enquire_sent_at > self.options.enquire_link_timeout:
                raise LinkError(f"enquire_link unanswered for {self.options.enquire_link_timeout:g} s")
        elif now - self._last_enquire >= self.options.enquire_link_interval:
            pdu = make_pdu("enquire_link", client=self.sequence)
            self._enquire_sequence, self._enquire_sent_at, self._last_enquire = pdu.sequence, now, now
            self._write(pdu)

    def _dispatch(self, raw: bytes) -> None:
        command_id, status, sequence = struct.unpack(">LLL", raw[4:16])
        try:
            command = command_codes.get_command_name(command_id)
        except smpp_errors.UnknownCommandError:
            logger.warning("Unknown SMPP command 0x%08X from %s; answered generic_nack", command_id, self.provider_name)
            self.answer("generic_nack", sequence, consts.SMPP_ESME_RINVCMDID)
            return
        if command_id & 0x80000000:
            self._on_response(command, status, sequence, raw)
        elif command == "enquire_link":
            self.answer("enquire_link_resp", sequence)
        elif command == "deliver_sm":
            self._on_deliver_sm(raw, sequence)
        elif command == "unbind":
            self.answer("unbind_resp", sequence)
            raise LinkError("the SMSC unbound")
        elif command != "alert_notification":  # alert_notification has no response (§4.12.1)
            logger.warning("Unexpected %s from %s; answered generic_nack", command, self.provider_name)
            self.answer("generic_nack", sequence, consts.SMPP_ESME_RINVCMDID)

    def _on_response(self, command: str, status: int, sequence: int, raw: bytes) -> None:
        if command == "enquire_link_resp" and sequence == self._enquire_sequence:
            self._enquire_sequence = None
            return
        with self._waiting_lock:
            waiting = self._waiting.pop(sequence, None)
        if waiting is None:
            logger.info("%s %s came after its sender stopped waiting; ignored", self.provider_name, command)
            return
        # submit_sm_resp's body is one C-octet string, message_id (§4.4.2); absent on errors.
        message_id = raw[16:].split(b"\0", 1)[0].decode("ascii", errors="replace") if status == ESME_ROK else ""
        if command == "submit_sm_resp" and message_id and waiting.on_accepted is not None:
            try:
                waiting.on_accepted(message_id)  # before the sender wakes: a receipt may follow at once
            except Exception:
                logger.exception("Could not remember SMPP message id on %s", self.provider_name)
        waiting.future.set_result(Response(command, int(status), message_id))

    def _on_deliver_sm(self, raw: bytes, sequence: int) -> None:
        try:
            pdu = parse_pdu(raw, client=NO_SEQUENCE, allow_unknown_opt_params=True)
        except Exception as exc:
            # Answered "OK": sending it again would not make it readable.
            logger.warning("Unreadable deliver_sm from %s (%s); acknowledged and ignored", self.provider_name, exc)
            self.answer("deliver_sm_resp", sequence)
            return
        self._on_deliver(self, pdu)
