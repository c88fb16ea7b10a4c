"""A test SMSC speaking SMPP 3.4 on 127.0.0.1, built on smpplib's PDU classes.

It checks bind credentials, answers enquire_link, records every submit_sm (decoding GSM-7 and UCS-2,
joining concatenated parts, keeping the validity_period), and does what a test tells it: accept,
reject with a command_status, throttle, refuse validity periods, stall (read, never answer), refuse
connections, drop them, and send delivery receipts at once, late, or never.

    with TestSmsc(system_id="bawaba", password="secret") as smsc:
        ...  # smsc.port; smsc.messages; smsc.receipt_delay = 1.0; smsc.refuse_connections()

Alone, for benchmarks (stops on Ctrl-C or SIGTERM):
    python -m tests.peers.smsc --port 2775 --system-id bawaba --password secret --receipt-delay 0.5
"""

from __future__ import annotations

import argparse
import datetime as dt
import heapq
import hmac
import itertools
import select
import signal
import socket
import struct
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from smpplib import command_codes, consts
from smpplib.gsm import GSM_CHARACTER_TABLE
from smpplib.smpp import make_pdu, parse_pdu

from bawaba.notifications.providers.smpp.session import SequenceNumbers

TICK = 0.05
ESM_DELIVERY_RECEIPT = 0x04


_NO_SEQUENCE = SequenceNumbers()


def _text(value: Any) -> str:
    if isinstance(value, bytes):
        return value.decode("latin-1")
    return "" if value is None else str(value)


def gsm_decode(data: bytes) -> str:
    """GSM 03.38, one septet per octet (as smpplib's gsm_encode writes it)."""
    characters = []
    escaped = False
    for octet in data:
        if escaped:
            characters.append(GSM_CHARACTER_TABLE[0x80 + octet])
            escaped = False
        elif octet == 0x1B:
            escaped = True
        else:
            characters.append(GSM_CHARACTER_TABLE[octet])
    return "".join(characters)


def decode_payload(data: bytes, data_coding: int) -> str:
    if data_coding == consts.SMPP_ENCODING_ISO10646:
        return data.decode("utf-16-be")
    if data_coding == consts.SMPP_ENCODING_DEFAULT:
        return gsm_decode(data)
    return data.decode("latin-1")


def split_udh(short_message: bytes) -> tuple[tuple[int, int, int] | None, bytes]:
    """(reference, total, number) from a concatenation header, and the text after the header."""
    length = short_message[0]
    header, payload = short_message[1 : 1 + length], short_message[1 + length :]
    position = 0
    while position + 2 <= len(header):
        element, size = header[position], header[position + 1]
        value = header[position + 2 : position + 2 + size]
        if element == 0x00 and size == 3:
            return (value[0], value[1], value[2]), payload
        if element == 0x08 and size == 4:
            return (int.from_bytes(value[:2], "big"), value[2], value[3]), payload
        position += 2 + size
    return None, payload


@dataclass
class SubmittedPart:
    """One submit_sm as the SMSC saw it."""

    connection: int
    system_id: str
    source_addr: str
    source_addr_ton: int
    source_addr_npi: int
    destination_addr: str
    dest_addr_ton: int
    dest_addr_npi: int
    esm_class: int
    data_coding: int
    registered_delivery: int
    validity_period: str  # as sent: "" for the SMSC's default
    short_message: bytes
    concatenation: tuple[int, int, int] | None
    payload: bytes
    message_id: str = ""  # empty when it was not accepted
    status: int | None = None  # None while unanswered (a stalled SMSC)

    @property
    def text(self) -> str:
        return decode_payload(self.payload, self.data_coding)


@dataclass
class ReceivedMessage:
    """A whole message: one part, or every part of a concatenated one, accepted."""

    parts: list[SubmittedPart]

    @property
    def text(self) -> str:
        return decode_payload(b"".join(part.payload for part in self.parts), self.parts[0].data_coding)

    @property
    def destination(self) -> str:
        return self.parts[0].destination_addr

    @property
    def source(self) -> str:
        return self.parts[0].source_addr

    @property
    def data_coding(self) -> int:
        return self.parts[0].data_coding

    @property
    def message_ids(self) -> list[str]:
        return [part.message_id for part in self.parts]


@dataclass
class BindRecord:
    command: str
    system_id: str
    status: int


@dataclass(order=True)
class _ScheduledReceipt:
    due: float
    order: int
    system_id: str = field(compare=False)
    connection: int = field(compare=False)
    pdu_fields: dict[str, Any] = field(compare=False)


class _Connection:
    def __init__(self, smsc: TestSmsc, sock: socket.socket, number: int) -> None:
        self.smsc = smsc
        self.sock = sock
        self.number = number
        self.sequence = SequenceNumbers()
        self.system_id = ""
        self.bind = ""  # "transmitter", "receiver" or "transceiver" once bound
        self.write_lock = threading.Lock()
        self.closed = threading.Event()
        self.buffer = bytearray()
        self.thread = threading.Thread(target=self.run, name=f"smsc-connection-{number}", daemon=True)
        self.last_enquire = time.monotonic()

    @property
    def receives(self) -> bool:
        return self.bind in ("receiver", "transceiver") and not self.closed.is_set()

    def write(self, data: bytes) -> bool:
        with self.write_lock:
            try:
                self.sock.sendall(data)
                return True
            except OSError:
                self.close()
                return False

    def respond(self, command: str, sequence: int, status: int = consts.SMPP_ESME_ROK, **fields: Any) -> None:
        pdu = make_pdu(command, client=_NO_SEQUENCE, status=status, **fields)
        pdu.sequence = sequence
        self.write(pdu.generate())

    def close(self) -> None:
        if not self.closed.is_set():
            self.closed.set()
            try:
                self.sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def run(self) -> None:
        try:
            while not self.closed.is_set() and not self.smsc.stopping.is_set():
                self.smsc.maybe_enquire(self)
                readable, _w, _e = select.select([self.sock], [], [], TICK)
                if not readable:
                    continue
                chunk = self.sock.recv(65536)
                if not chunk:
                    break
                self.buffer += chunk
                while len(self.buffer) >= 4:
                    (length,) = struct.unpack(">L", self.buffer[:4])
                    if length < 16 or length > 65536:
                        return  # out of step: hang up, as a real SMSC would
                    if len(self.buffer) < length:
                        break
                    raw = bytes(self.buffer[:length])
                    del self.buffer[:length]
                    try:
                        self.smsc.handle(self, raw)
                    except Exception:  # a PDU smpplib cannot read: say so, as an SMSC would
                        self.respond("generic_nack", struct.unpack(">L", raw[12:16])[0], consts.SMPP_ESME_RSYSERR)
        except (OSError, ValueError):
            pass
        finally:
            self.close()
            self.sock.close()


class TestSmsc:
    """A small SMSC in threads of this process; stop() (or the with block) ends every one of them."""

    __test__ = False  # not a pytest test class

    def __init__(self, system_id: str = "bawaba", password: str = "secret", *, port: int = 0) -> None:  # noqa: S107
        self.system_id = system_id
        self.password = password
        self.host = "127.0.0.1"
        self.port = port
        # What it does; tests change these at any time.
        self.submit_status = consts.SMPP_ESME_ROK  # answer every submit_sm with this
        self.throttle_next = 0  # answer the next N submit_sm with ESME_RTHROTTLED
        self.reject_validity_period = False  # answer submit_sm that has one with ESME_RINVEXPIRY
        self.stall = False  # read everything, answer nothing (not even enquire_link)
        self.stall_binds = False
        self.receipt_stat: str | None = None  # "DELIVRD", "UNDELIV", ...; None: never send receipts
        self.receipt_delay = 0.0
        self.receipt_error = "000"
        self.receipt_format = "text"  # "text", "tlv" or "both"
        self.receipt_ids = "same"  # "decimal": hexadecimal ids in submit_sm_resp, decimal in receipts
        self.enquire_link_every: float | None = None  # the SMSC's own enquire_link to the client
        self.keep_records = True
        # What it saw.
        self.parts: list[SubmittedPart] = []
        self.messages: list[ReceivedMessage] = []
        self.binds: list[BindRecord] = []
        self.enquire_links = 0
        self.enquire_link_answers = 0
        self.deliver_sm_answers: list[tuple[int, int]] = []  # (sequence, command_status)
        self.generic_nacks: list[int] = []
        self.unbinds = 0
        self.accepted_count = 0
        self.stopping = threading.Event()
        self._lock = threading.RLock()
        self._ids = itertools.count(0xA0000)
        self._order = itertools.count()
        self._connection_numbers = itertools.count(1)
        self._connections: list[_Connection] = []
        self._pending_parts: dict[tuple[str, str, int, int], dict[int, SubmittedPart]] = {}
        self._receipts: list[_ScheduledReceipt] = []
        self._receipts_changed = threading.Condition(self._lock)
        self._listener: socket.socket | None = None
        self._accept_thread: threading.Thread | None = None
        self._receipt_thread: threading.Thread | None = None

    # life cycle

    def __enter__(self) -> TestSmsc:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> None:
        self.accept_connections()
        self._receipt_thread = threading.Thread(target=self._send_receipts, name="smsc-receipts", daemon=True)
        self._receipt_thread.start()

    def stop(self) -> None:
        self.stopping.set()
        self.refuse_connections()
        with self._lock:
            self._receipts_changed.notify_all()
        if self._receipt_thread is not None:
            self._receipt_thread.join(timeout=5)

    def accept_connections(self) -> None:
        """Listen (again, on the same port)."""
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((self.host, self.port))
        listener.listen(64)
        self.port = listener.getsockname()[1]
        self._listener = listener
        self._accept_thread = threading.Thread(target=self._accept, args=(listener,), name="smsc-accept", daemon=True)
        self._accept_thread.start()

    def refuse_connections(self) -> None:
        """Stop listening (connecting now gets "connection refused") and hang up on everyone."""
        listener, self._listener = self._listener, None
        if listener is not None:
            listener.close()
        if self._accept_thread is not None:
            self._accept_thread.join(timeout=5)
            self._accept_thread = None
        self.drop_connections()

    def drop_connections(self) -> None:
        with self._lock:
            connections = list(self._connections)
        for connection in connections:
            connection.close()
        for connection in connections:
            connection.thread.join(timeout=5)

    def _accept(self, listener: socket.socket) -> None:
        while self._listener is listener and not self.stopping.is_set():
            try:
                readable, _w, _e = select.select([listener], [], [], TICK)
                if not readable:
                    continue
                sock, _address = listener.accept()
            except (OSError, ValueError):
                return
            connection = _Connection(self, sock, next(self._connection_numbers))
            with self._lock:
                self._connections = [c for c in self._connections if not c.closed.is_set()]
                self._connections.append(connection)
            connection.thread.start()

    # what tests look at

    @property
    def bound_connections(self) -> list[_Connection]:
        with self._lock:
            return [c for c in self._connections if c.bind and not c.closed.is_set()]

    @property
    def successful_binds(self) -> list[BindRecord]:
        return [bind for bind in self.binds if bind.status == consts.SMPP_ESME_ROK]

    # protocol

    def handle(self, connection: _Connection, raw: bytes) -> None:
        command_id, _status, sequence = struct.unpack(">LLL", raw[4:16])
        try:
            command = command_codes.get_command_name(command_id)
        except Exception:
            connection.respond("generic_nack", sequence, consts.SMPP_ESME_RINVCMDID)
            return
        if command.startswith("bind_"):
            self._bind(connection, command, raw, sequence)
        elif command == "enquire_link":
            with self._lock:
                self.enquire_links += 1
            if not self.stall:
                connection.respond("enquire_link_resp", sequence)
        elif command == "enquire_link_resp":
            with self._lock:
                self.enquire_link_answers += 1
        elif command == "submit_sm":
            self._submit(connection, raw, sequence)
        elif command == "deliver_sm_resp":
            with self._lock:
                self.deliver_sm_answers.append((sequence, _status))
        elif command == "generic_nack":
            with self._lock:
                self.generic_nacks.append(sequence)
        elif command == "unbind":
            with self._lock:
                self.unbinds += 1
            connection.respond("unbind_resp", sequence)
            connection.close()
        elif not command.endswith("_resp"):
            connection.respond("generic_nack", sequence, consts.SMPP_ESME_RINVCMDID)

    def _bind(self, connection: _Connection, command: str, raw: bytes, sequence: int) -> None:
        pdu = parse_pdu(raw, client=_NO_SEQUENCE, allow_unknown_opt_params=True)
        system_id, password = _text(pdu.system_id), _text(pdu.password)
        if connection.bind:
            status = consts.SMPP_ESME_RALYBND
        elif not hmac.compare_digest(system_id.encode(), self.system_id.encode()):
            status = consts.SMPP_ESME_RINVSYSID
        elif not hmac.compare_digest(password.encode(), self.password.encode()):
            status = consts.SMPP_ESME_RINVPASWD
        else:
            status = consts.SMPP_ESME_ROK
        with self._lock:
            self.binds.append(BindRecord(command, system_id, status))
        if self.stall_binds:
            return
        connection.respond(f"{command}_resp", sequence, status, system_id="TESTSMSC")
        if status == consts.SMPP_ESME_ROK:
            connection.system_id = system_id
            connection.bind = command.removeprefix("bind_")
        elif status != consts.SMPP_ESME_RALYBND:
            connection.close()

    def _submit(self, connection: _Connection, raw: bytes, sequence: int) -> None:
        if connection.bind not in ("transmitter", "transceiver"):
            connection.respond("submit_sm_resp", sequence, consts.SMPP_ESME_RINVBNDSTS)
            return
        pdu = parse_pdu(raw, client=_NO_SEQUENCE, allow_unknown_opt_params=True)
        short_message = pdu.short_message or b""
        esm_class = int(pdu.esm_class or 0)
        concatenation, payload = (None, short_message)
        if esm_class & consts.SMPP_GSMFEAT_UDHI:
            concatenation, payload = split_udh(short_message)
        part = SubmittedPart(
            connection=connection.number,
            system_id=connection.system_id,
            source_addr=_text(pdu.source_addr),
            source_addr_ton=int(pdu.source_addr_ton or 0),
            source_addr_npi=int(pdu.source_addr_npi or 0),
            destination_addr=_text(pdu.destination_addr),
            dest_addr_ton=int(pdu.dest_addr_ton or 0),
            dest_addr_npi=int(pdu.dest_addr_npi or 0),
            esm_class=esm_class,
            data_coding=int(pdu.data_coding or 0),
            registered_delivery=int(pdu.registered_delivery or 0),
            validity_period=_text(pdu.validity_period),
            short_message=short_message,
            concatenation=concatenation,
            payload=payload,
        )
        with self._lock:
            if self.keep_records:
                self.parts.append(part)
            if self.stall:
                return
            if self.throttle_next > 0:
                self.throttle_next -= 1
                part.status = consts.SMPP_ESME_RTHROTTLED
            elif self.reject_validity_period and part.validity_period:
                part.status = consts.SMPP_ESME_RINVEXPIRY
            else:
                part.status = self.submit_status
            if part.status == consts.SMPP_ESME_ROK:
                number = next(self._ids)
                hexadecimal = self.receipt_ids == "decimal"
                part.message_id = f"{number:X}" if hexadecimal else str(number)
                receipt_id = f"{number:010d}" if hexadecimal else part.message_id
                self.accepted_count += 1
                self._collect(part)
                if part.registered_delivery & 1 and self.receipt_stat:
                    self._schedule_receipt(connection, part, receipt_id)
        if part.status == consts.SMPP_ESME_ROK:
            connection.respond("submit_sm_resp", sequence, message_id=part.message_id)
        else:
            connection.respond("submit_sm_resp", sequence, part.status)

    def _collect(self, part: SubmittedPart) -> None:
        if not self.keep_records:
            return
        if part.concatenation is None:
            self.messages.append(ReceivedMessage([part]))
            return
        reference, total, number = part.concatenation
        key = (part.source_addr, part.destination_addr, reference, total)
        pending = self._pending_parts.setdefault(key, {})
        pending[number] = part
        if len(pending) == total:
            del self._pending_parts[key]
            self.messages.append(ReceivedMessage([pending[n] for n in sorted(pending)]))

    # receipts and other deliver_sm

    def receipt_fields(self, message_id: str, part: SubmittedPart | None = None, **overrides: Any) -> dict[str, Any]:
        stat = overrides.pop("stat", self.receipt_stat or "DELIVRD")
        error = overrides.pop("error", self.receipt_error)
        receipt_format = overrides.pop("receipt_format", self.receipt_format)
        now = dt.datetime.now(dt.UTC).strftime("%y%m%d%H%M")
        excerpt = part.text[:20] if part is not None else ""
        fields: dict[str, Any] = {
            "source_addr_ton": part.dest_addr_ton if part else 1,
            "source_addr_npi": part.dest_addr_npi if part else 1,
            "source_addr": part.destination_addr if part else "9647700000000",
            "dest_addr_ton": part.source_addr_ton if part else 5,
            "dest_addr_npi": part.source_addr_npi if part else 0,
            "destination_addr": part.source_addr if part else "Bawaba",
            "esm_class": ESM_DELIVERY_RECEIPT,
            "data_coding": 0,
        }
        if receipt_format in ("text", "both"):
            delivered = "001" if stat == "DELIVRD" else "000"
            text = (
                f"id:{message_id} sub:001 dlvrd:{delivered} submit date:{now} done date:{now} "
                f"stat:{stat} err:{error} text:{excerpt}"
            )
            fields["short_message"] = text.encode("ascii", errors="replace")
        if receipt_format in ("tlv", "both"):
            states = {"ENROUTE": 1, "DELIVRD": 2, "EXPIRED": 3, "DELETED": 4, "UNDELIV": 5, "ACCEPTD": 6, "REJECTD": 8}
            fields["receipted_message_id"] = message_id
            fields["message_state"] = states.get(stat, 7)
            fields["network_error_code"] = bytes([3]) + int(error or 0).to_bytes(2, "big")
        fields.update(overrides)
        return fields

    def _schedule_receipt(self, connection: _Connection, part: SubmittedPart, receipt_id: str) -> None:
        fields = self.receipt_fields(receipt_id, part)
        entry = _ScheduledReceipt(
            time.monotonic() + self.receipt_delay, next(self._order), connection.system_id, connection.number, fields
        )
        heapq.heappush(self._receipts, entry)
        self._receipts_changed.notify_all()

    def _send_receipts(self) -> None:
        # Like a real SMSC: to the session that sent the message if it is still there, else to any
        # receiving session of the same system_id; kept until one binds.
        with self._lock:
            while not self.stopping.is_set():
                now = time.monotonic()
                if not self._receipts or self._receipts[0].due > now:
                    wait = self._receipts[0].due - now if self._receipts else None
                    self._receipts_changed.wait(timeout=min(wait, 1.0) if wait is not None else 1.0)
                    continue
                entry = heapq.heappop(self._receipts)
                receivers = [c for c in self._connections if c.receives and c.system_id == entry.system_id]
                receivers.sort(key=lambda c: c.number != entry.connection)
                if not receivers or not self._deliver(receivers[0], entry.pdu_fields):
                    entry.due = now + 0.1
                    heapq.heappush(self._receipts, entry)

    def _deliver(self, connection: _Connection, fields: dict[str, Any]) -> bool:
        pdu = make_pdu("deliver_sm", client=connection.sequence, **fields)
        return connection.write(pdu.generate())

    def deliver(self, **fields: Any) -> int:
        """Send a deliver_sm built from `fields` to every receiving session; how many got it."""
        return sum(self._deliver(connection, fields) for connection in self.bound_connections if connection.receives)

    def deliver_raw(self, data: bytes) -> int:
        """Send bytes as they are (a malformed PDU) to every receiving session."""
        return sum(connection.write(data) for connection in self.bound_connections if connection.receives)

    def maybe_enquire(self, connection: _Connection) -> None:
        every = self.enquire_link_every
        if every and connection.bind and time.monotonic() - connection.last_enquire >= every:
            connection.last_enquire = time.monotonic()
            connection.write(make_pdu("enquire_link", client=connection.sequence).generate())


def main() -> None:
    parser = argparse.ArgumentParser(description="A test SMSC (SMPP 3.4) on 127.0.0.1.")
    parser.add_argument("--port", type=int, default=2775)
    parser.add_argument("--system-id", default="bawaba")
    parser.add_argument("--password", default="secret")
    parser.add_argument("--receipt-delay", type=float, default=0.0, help="seconds before each receipt")
    parser.add_argument("--stat", default="DELIVRD", help="receipt stat, or 'none' for no receipts")
    arguments = parser.parse_args()
    smsc = TestSmsc(arguments.system_id, arguments.password, port=arguments.port)
    smsc.keep_records = False  # a long benchmark would fill the memory
    smsc.receipt_delay = arguments.receipt_delay
    smsc.receipt_stat = None if arguments.stat.lower() == "none" else arguments.stat
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    smsc.start()
    print(f"SMSC listening on {smsc.host}:{smsc.port}", flush=True)  # noqa: T201  (a command-line tool)
    while not stop.wait(0.5):
        pass
    smsc.stop()
    print(f"SMSC stopped after accepting {smsc.accepted_count} submit_sm", flush=True)  # noqa: T201


if __name__ == "__main__":
    main()
