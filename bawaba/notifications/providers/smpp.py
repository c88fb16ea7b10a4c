"""SMPP 3.4 to a mobile operator's SMS centre (SMSC): one bound session per worker process.

    {"name": "asiacell", "kind": "smpp", "channels": ["sms"], "weight": 60,
     "options": {"host": "smsc.example.iq", "port": 2775, "system_id": "bawaba",
                 "password_env": "ASIACELL_SMPP_PASSWORD", "source_addr": "Bawaba", "tps": 40}}

Options:
- host, port (2775): the SMSC.
- system_id (at most 15 characters), password (at most 8; give it as password_env so it stays out of
  files), system_type (""): the bind credentials the operator issued.
- bind: "transceiver" (default: one session sends and receives receipts), "transmitter+receiver" (two
  sessions, for SMSCs without transceivers) or "transmitter" (sending only, no receipts).
- source_addr (""): the sender when the template names none; source_addr_ton / source_addr_npi for it
  (derived when not given: 5/0 for a name, 1/1 for an international number, 0/1 for a short code).
  A template's own sender always gets derived values.
- dest_addr_ton / dest_addr_npi (1/1): recipients are E.164 numbers, sent without the "+".
- tps (50): submit_sm per second from this process, each part of a long message counting (a token
  bucket; 0 for no limit). The SMSC's allowance divided by the number of worker processes.
- window (10): submit_sm awaiting their response at once on one session.
- enquire_link_interval (30 s), enquire_link_timeout (10 s): a link whose enquire_link stays unanswered
  that long is dropped; the next send opens a new one.
- connect_timeout (5 s): connecting and binding, and any one write; never more than the send's timeout.
- receipts_for: "last" part of a long message (default) or "every" part.
- receipt_ids: how receipts write the id submit_sm_resp gave: "auto" (default: as given, else its
  decimal or hexadecimal twin, whichever this provider sent), "as_submitted", "decimal" (submit_sm_resp
  hexadecimal, receipts decimal: Kannel's msg-id-type 0x01) or "hex" (the reverse, 0x02).
- receipt_timezone (settings.TIME_ZONE): the SMSC clock that receipts' "done date" is written in.
- permanent_errors ([]): more command_status values (vendor codes 0x400-0x4FF) meaning "this number can
  never get it"; invalid destination address, TON or NPI (0x0B, 0x50, 0x51) always do.
- service_type (""): when the operator asks for one.

smpplib encodes and decodes the PDUs; the session (socket, reader thread, matching responses to the
senders waiting for them, keep-alive) is ours: see docs/decisions/0007-smpp-with-smpplib.md.
"""

from __future__ import annotations

import datetime as dt
import heapq
import itertools
import logging
import queue
import re
import secrets
import select
import socket
import struct
import threading
import time
import zoneinfo
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError, close_old_connections, connections, transaction
from smpplib import command_codes, consts
from smpplib import exceptions as smpp_errors
from smpplib.gsm import gsm_encode
from smpplib.smpp import make_pdu, parse_pdu

from bawaba.notifications.constants import Channel, ReceiptStatus
from bawaba.notifications.models import DeliveryReceipt, Message
from bawaba.notifications.providers.base import (
    Accepted,
    OutgoingMessage,
    PermanentFailure,
    Provider,
    TemporaryFailure,
)
from bawaba.notifications.receipts import apply_receipt, record_receipt
from bawaba.notifications.sms import sms_length

logger = logging.getLogger(__name__)

ESME_ROK = consts.SMPP_ESME_ROK
THROTTLING_STATUSES = frozenset({consts.SMPP_ESME_RTHROTTLED, consts.SMPP_ESME_RMSGQFUL})
# The number itself is wrong (SMPP 3.4 §5.1.3): no other SMSC will do better.
PERMANENT_STATUSES = frozenset({consts.SMPP_ESME_RINVDSTADR, consts.SMPP_ESME_RINVDSTTON, consts.SMPP_ESME_RINVDSTNPI})
# message_state TLV (SMPP 3.4 §5.2.28) as the receipt text's "stat" words (Appendix B).
MESSAGE_STATES = {
    1: "ENROUTE",
    2: "DELIVRD",
    3: "EXPIRED",
    4: "DELETED",
    5: "UNDELIV",
    6: "ACCEPTD",
    7: "UNKNOWN",
    8: "REJECTD",
}
STAT_ALIASES = {"DELIVERED": "DELIVRD", "UNDELIVERABLE": "UNDELIV", "REJECTED": "REJECTD", "ACCEPTED": "ACCEPTD"}
RECEIPT_STATUSES = {
    "DELIVRD": ReceiptStatus.DELIVERED,
    "UNDELIV": ReceiptStatus.UNDELIVERED,
    "EXPIRED": ReceiptStatus.UNDELIVERED,
    "REJECTD": ReceiptStatus.UNDELIVERED,
    "DELETED": ReceiptStatus.UNDELIVERED,
    # "UNKNOWN" is final in the spec but says nothing; the message stays "sent" rather than guess.
    "ENROUTE": ReceiptStatus.PENDING,
    "ACCEPTD": ReceiptStatus.PENDING,
    "UNKNOWN": ReceiptStatus.PENDING,
}
ESM_MESSAGE_TYPE_BITS = 0x3C
RECEIPT_MESSAGE_TYPES = frozenset({0x04, 0x20})  # SMSC delivery receipt, intermediate notification
CONCATENATION_IE = b"\x05\x00\x03"  # UDH length 5, IE 0x00 (8-bit reference), IE length 3 (GSM 03.40)
MAX_PDU_LENGTH = 64 * 1024  # SMPP PDUs are a few hundred bytes; anything bigger means a broken stream
READ_TICK = 0.2  # how often the reader looks at its keep-alive clock when nothing arrives
UNBIND_WAIT = 1.0
RECEIPT_QUEUE_SIZE = 10_000
STORE_TRIES = 5  # storing a receipt, before asking the SMSC to send it again (about 1.5 s)
RECEIPT_RETRIES = 6  # re-applying a receipt that beat its message's "sent": 0.2 s doubling, about 13 s in all
PART_MAP_SECONDS = 3 * 24 * 3600  # SMSCs keep trying for up to 72 hours (a typical validity period)
RECEIPT_ID = re.compile(r"[A-Za-z0-9_.:\-]{1,65}")
RECEIPT_FIELD = re.compile(r"\b(id|sub|dlvrd|submit[ _]date|done[ _]date|stat|err|text)\s*:", re.IGNORECASE)
NUMERIC_ADDRESS = re.compile(r"\+?[0-9]{1,20}")
ALPHANUMERIC_ADDRESS = re.compile(r"[A-Za-z0-9 .\-_]{1,11}")


# --- options -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SmppOptions:
    host: str
    port: int
    system_id: str
    password: str
    system_type: str
    bind: str
    source_addr: str
    source_addr_ton: int | None
    source_addr_npi: int | None
    dest_addr_ton: int
    dest_addr_npi: int
    service_type: str
    tps: float
    window: int
    enquire_link_interval: float
    enquire_link_timeout: float
    connect_timeout: float
    receipts_for: str
    receipt_ids: str
    receipt_timezone: dt.tzinfo
    permanent_errors: frozenset[int]

    @classmethod
    def parse(cls, name: str, options: dict[str, Any]) -> SmppOptions:
        def problem(text: str) -> ImproperlyConfigured:
            return ImproperlyConfigured(f"SMPP provider {name!r}: {text}")

        def choice(key: str, allowed: tuple[str, ...]) -> str:
            value = str(options.get(key, allowed[0]))
            if value not in allowed:
                raise problem(f"{key} must be one of {', '.join(allowed)}")
            return value

        def optional_int(key: str) -> int | None:
            return None if options.get(key) is None else int(options[key])

        host = str(options.get("host") or "")
        system_id = str(options.get("system_id") or "")
        password = str(options.get("password") or "")
        if not host or not system_id:
            raise problem("host and system_id are required")
        # smpplib would cut longer values silently, and the bind would fail for a reason nobody sees.
        if len(system_id) > 15 or len(password) > 8 or len(str(options.get("system_type", ""))) > 12:
            raise problem("system_id is at most 15 characters, password at most 8, system_type at most 12")
        try:
            timezone_name = str(options.get("receipt_timezone") or settings.TIME_ZONE)
            receipt_timezone = zoneinfo.ZoneInfo(timezone_name)
            parsed = cls(
                host=host,
                port=int(options.get("port", 2775)),
                system_id=system_id,
                password=password,
                system_type=str(options.get("system_type", "")),
                bind=choice("bind", ("transceiver", "transmitter+receiver", "transmitter")),
                source_addr=str(options.get("source_addr", "")),
                source_addr_ton=optional_int("source_addr_ton"),
                source_addr_npi=optional_int("source_addr_npi"),
                dest_addr_ton=int(options.get("dest_addr_ton", consts.SMPP_TON_INTL)),
                dest_addr_npi=int(options.get("dest_addr_npi", consts.SMPP_NPI_ISDN)),
                service_type=str(options.get("service_type", "")),
                tps=float(options.get("tps", 50)),
                window=int(options.get("window", 10)),
                enquire_link_interval=float(options.get("enquire_link_interval", 30)),
                enquire_link_timeout=float(options.get("enquire_link_timeout", 10)),
                connect_timeout=float(options.get("connect_timeout", 5)),
                receipts_for=choice("receipts_for", ("last", "every")),
                receipt_ids=choice("receipt_ids", ("auto", "as_submitted", "decimal", "hex")),
                receipt_timezone=receipt_timezone,
                permanent_errors=frozenset(int(str(code), 0) for code in options.get("permanent_errors", ())),
            )
        except (TypeError, ValueError, zoneinfo.ZoneInfoNotFoundError) as exc:
            raise problem(f"invalid option ({exc})") from exc
        if parsed.tps < 0 or parsed.window < 1 or min(parsed.enquire_link_interval, parsed.connect_timeout) <= 0:
            raise problem("tps must be 0 or more, window 1 or more, and the intervals and timeouts positive")
        texts = (parsed.system_id, parsed.password, parsed.system_type, parsed.service_type, parsed.source_addr)
        if not all(text.isascii() for text in texts):
            raise problem("system_id, password, system_type, service_type and source_addr must be ASCII")
        if parsed.source_addr and address_type(parsed.source_addr) is None:
            raise problem("source_addr must be a number (up to 20 digits) or a name (up to 11 letters and digits)")
        return parsed


# --- encoding ------------------------------------------------------------------------------------


def encode_sms(text: str, concatenation_reference: int) -> tuple[list[bytes], int, int]:
    """The short_message of each part, the data_coding and the esm_class for `text`.

    GSM-7 (data_coding 0, one septet per octet) when every character fits, as sms.sms_length counts;
    UCS-2 (data_coding 8) otherwise. Long texts get a concatenation header in each part. We split
    ourselves rather than with smpplib.gsm.make_parts, which can cut a two-septet GSM character or an
    emoji's surrogate pair in half at a part boundary.
    """
    encoded: bytes | None = None
    if sms_length(text).encoding == "GSM-7":
        try:
            encoded = gsm_encode(text)
        except UnicodeError:
            encoded = None  # a character smpplib's table lacks (§): UCS-2 is always safe
    if encoded is not None:
        data_coding, whole, per_part = consts.SMPP_ENCODING_DEFAULT, consts.SEVENBIT_LENGTH, 153
    else:
        encoded = text.encode("utf-16-be")
        data_coding, whole, per_part = consts.SMPP_ENCODING_ISO10646, consts.UCS2_LENGTH, 134
    if len(encoded) <= whole:
        return [encoded], data_coding, consts.SMPP_MSGMODE_DEFAULT
    chunks: list[bytes] = []
    start = 0
    while start < len(encoded):
        end = min(start + per_part, len(encoded))
        if end < len(encoded):
            if data_coding == consts.SMPP_ENCODING_DEFAULT and encoded[end - 1] == 0x1B:
                end -= 1  # never leave the escape of a two-septet character at the end of a part
            elif data_coding == consts.SMPP_ENCODING_ISO10646 and 0xD8 <= encoded[end - 2] <= 0xDB:
                end -= 2  # nor the first half of a surrogate pair
        chunks.append(encoded[start:end])
        start = end
    if len(chunks) > 255:
        raise PermanentFailure("The message is too long for SMS (more than 255 parts)", code="smpp_too_long")
    header = CONCATENATION_IE + bytes([concatenation_reference % 256, len(chunks)])
    parts = [header + bytes([number]) + chunk for number, chunk in enumerate(chunks, start=1)]
    return parts, data_coding, consts.SMPP_GSMFEAT_UDHI


def address_type(address: str) -> tuple[str, int, int] | None:
    """The address as SMPP wants it, with its TON and NPI; None if it cannot be an SMPP address."""
    if NUMERIC_ADDRESS.fullmatch(address):
        digits = address.lstrip("+")
        if address.startswith("+") or len(digits) > 8:
            return digits, consts.SMPP_TON_INTL, consts.SMPP_NPI_ISDN
        return digits, consts.SMPP_TON_UNK, consts.SMPP_NPI_ISDN  # a short code
    if ALPHANUMERIC_ADDRESS.fullmatch(address):
        return address, consts.SMPP_TON_ALNUM, consts.SMPP_NPI_UNK
    return None


# --- receipts ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DeliveryReport:
    message_id: str
    stat: str
    error: str
    done_at: dt.datetime | None
    payload: dict[str, Any]


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bytes):
        return value.split(b"\0", 1)[0].decode("latin-1")
    return str(value)


def _receipt_date(value: str, tz: dt.tzinfo) -> dt.datetime | None:
    # YYMMDDhhmm (SMPP 3.4 Appendix B), some SMSCs add seconds.
    if not re.fullmatch(r"\d{10}(\d{2})?", value):
        return None
    try:
        when = dt.datetime.strptime(value[:10], "%y%m%d%H%M").replace(tzinfo=tz)
    except ValueError:
        return None
    return when + dt.timedelta(seconds=min(59, int(value[10:] or 0)))


def _receipt_fields(text: str) -> dict[str, str]:
    """'id:123 sub:001 dlvrd:001 submit date:2501011200 done date:... stat:DELIVRD err:000 text:...'."""
    matches = list(RECEIPT_FIELD.finditer(text))
    fields: dict[str, str] = {}
    for index, match in enumerate(matches):
        key = match.group(1).lower().replace("_", " ")
        if key == "text":
            break  # the start of the message itself: never kept (it may be a one-time code)
        end = matches[index + 1].start() if index + 1 < len(matches) else len(text)
        fields.setdefault(key, text[match.end() : end].strip()[:32])
    return fields


def parse_receipt(pdu: Any, tz: dt.tzinfo) -> DeliveryReport | None:
    """The delivery report in a deliver_sm, TLVs preferred over the text; None if it is not a receipt."""
    esm_class = int(pdu.esm_class or 0)
    tlv_id = _as_text(pdu.receipted_message_id).strip()
    tlv_state = pdu.message_state
    if (esm_class & ESM_MESSAGE_TYPE_BITS) not in RECEIPT_MESSAGE_TYPES and not tlv_id and tlv_state is None:
        return None
    raw = pdu.short_message or pdu.message_payload or b""
    if pdu.data_coding == consts.SMPP_ENCODING_ISO10646:
        text = raw.decode("utf-16-be", errors="replace")
    else:
        text = raw.decode("latin-1")
    fields = _receipt_fields(text)
    message_id = tlv_id or fields.get("id", "")
    if not RECEIPT_ID.fullmatch(message_id):
        message_id = ""
    stat = MESSAGE_STATES.get(tlv_state, "") if tlv_state is not None else fields.get("stat", "").upper()
    stat = STAT_ALIASES.get(stat, stat)
    error = fields.get("err", "")
    network_error = pdu.network_error_code
    payload: dict[str, Any] = {key.replace(" ", "_"): value for key, value in fields.items()}
    payload.update(esm_class=esm_class, source="tlv" if tlv_id or tlv_state is not None else "text")
    if tlv_id:
        payload["receipted_message_id"] = tlv_id
    if tlv_state is not None:
        payload["message_state"] = tlv_state
    if isinstance(network_error, bytes) and len(network_error) == 3:
        payload["network_error_code"] = network_error.hex()
        error = error or f"{int.from_bytes(network_error[1:], 'big'):03d}"
    done_at = _receipt_date(fields.get("done date", ""), tz)
    return DeliveryReport(message_id=message_id, stat=stat[:16], error=error[:32], done_at=done_at, payload=payload)


def canonical_id(message_id: str) -> str:
    """One spelling per id: case and leading zeros differ between an SMSC's responses and its receipts."""
    return message_id.lower().lstrip("0") or "0"


def _is_hex(text: str) -> bool:
    return bool(re.fullmatch(r"[0-9A-Fa-f]{1,16}", text))


def id_spellings(receipt_id: str, mode: str, cross_first: bool = False) -> list[str]:
    """How submit_sm_resp may have written the id a receipt gives, most likely first.

    Some SMSCs answer submit_sm with a hexadecimal id and write it in decimal in receipts, or the
    reverse (SMPP 3.4 Appendix B only suggests a format).
    """
    same = [receipt_id, receipt_id.lower(), receipt_id.upper(), canonical_id(receipt_id)]
    cross: list[str] = []
    if mode in ("auto", "decimal") and receipt_id.isdigit() and len(receipt_id) <= 20:
        number = int(receipt_id)
        for spelling in (f"{number:x}", f"{number:X}"):
            cross += [spelling, spelling.zfill(8), spelling.zfill(16)]
    if mode in ("auto", "hex") and _is_hex(receipt_id):
        cross.append(str(int(receipt_id, 16)))
    if mode in ("decimal", "hex"):
        ordered = cross or same
    elif mode == "auto":
        ordered = cross + same if cross_first else same + cross
    else:
        ordered = same[:1]
    return list(dict.fromkeys(ordered))


@dataclass(frozen=True)
class SentPart:
    reference: str  # the id of the message's first part: what delivery stored as provider_reference
    part: int
    parts: int

    def encoded(self) -> str:
        return f"{self.reference}|{self.part}|{self.parts}"

    @classmethod
    def decoded(cls, value: Any) -> SentPart | None:
        try:
            reference, part, parts = str(value).rsplit("|", 2)
            return cls(reference, int(part), int(parts))
        except ValueError:
            return None


class SubmittedIds:
    """Ids this process's sessions were given lately, so receipts (often faster than our own "sent"
    write) find their message, whatever spelling the SMSC uses and whichever part they are for."""

    # Enough for the minutes in which most receipts come (20,000 is 400 s at 50 tps); older ones are
    # matched in the database, and later parts of long messages through the shared cache.
    def __init__(self, limit: int = 20_000) -> None:
        self._limit = limit
        self._lock = threading.Lock()
        self._ids: OrderedDict[str, SentPart] = OrderedDict()

    def remember(self, message_id: str, sent: SentPart) -> None:
        with self._lock:
            self._ids[canonical_id(message_id)] = sent
            if len(self._ids) > self._limit:
                self._ids.popitem(last=False)

    def find(self, spellings: list[str]) -> tuple[str, SentPart] | None:
        """The first spelling that was submitted, with what it was."""
        with self._lock:
            for spelling in spellings:
                found = self._ids.get(canonical_id(spelling))
                if found is not None:
                    return spelling, found
        return None


# --- one SMPP session ----------------------------------------------------------------------------


class LinkError(Exception):
    """The session could not take the request: nothing reached the SMSC."""


class BindRefused(LinkError):
    pass


class NoAnswer(Exception):
    """The request went out and no response came: the SMSC may have acted on it."""


class _Sequence:
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
        self.sequence = _Sequence()
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


# --- throttle ------------------------------------------------------------------------------------


class TokenBucket:
    """`rate` tokens a second, up to one second's worth saved; waiters are served in turn."""

    def __init__(self, rate: float) -> None:
        self.rate = rate
        self.capacity = max(1.0, rate)
        self._tokens = self.capacity
        self._updated = time.monotonic()
        self._lock = threading.Lock()

    def take(self, deadline: float) -> bool:
        """Wait for a token, unless it would come after `deadline`; False then, and nothing is taken."""
        if self.rate <= 0:
            return True
        with self._lock:
            now = time.monotonic()
            self._tokens = min(self.capacity, self._tokens + (now - self._updated) * self.rate)
            self._updated = now
            wait = max(0.0, (1 - self._tokens) / self.rate)
            if now + wait > deadline:
                return False
            self._tokens -= 1  # may go below zero: a reservation that later takers wait behind
        if wait:
            time.sleep(wait)
        return True


# --- receipts, off the reader thread -------------------------------------------------------------


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


# --- the provider --------------------------------------------------------------------------------


class SmppProvider(Provider):
    kind = "smpp"
    channels = frozenset({Channel.SMS.value})

    def __init__(self, name: str, options: dict[str, Any]) -> None:
        super().__init__(name, options)
        self.config = SmppOptions.parse(name, options)
        self._lock = threading.Lock()  # held while connecting, so one thread binds and the others wait
        self._sessions: dict[str, Session] = {}
        self._is_closed = False
        self._connect_failures = 0
        self._retry_at = 0.0
        self._last_connect_error: TemporaryFailure | None = None
        self._receiver_retry_at = 0.0
        self._throttle = TokenBucket(self.config.tps)
        self._submitted = SubmittedIds()
        self._receipts = ReceiptWorker(name, self._store_receipt)
        self._concatenation = itertools.count(secrets.randbelow(256))
        self._cross_spelling_seen = False

    # sending

    def send(self, message: OutgoingMessage, *, timeout: float) -> Accepted:
        deadline = time.monotonic() + timeout
        parts, data_coding, esm_class = encode_sms(message.body, next(self._concatenation))
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
                registered_delivery=1 if wants_receipt else 0,
                data_coding=data_coding,
                short_message=short_message,
            )
            sent = SentPart(accepted[0] if accepted else "", number, len(parts))
            try:
                response = session.request(pdu, deadline, on_accepted=self._remembering(sent))
            except NoAnswer as exc:
                raise TemporaryFailure(f"SMSC {self.name}: {exc}", code="smpp_no_answer", maybe_accepted=True) from exc
            except LinkError as exc:
                raise self._not_sent(f"SMSC {self.name}: {exc}", "smpp_link", accepted) from exc
            if response.status != ESME_ROK or response.command != "submit_sm_resp":
                raise self._refused(session, response, accepted)
            accepted.append(response.message_id)
        if not accepted[0]:
            logger.warning("SMSC %s accepted message %s without giving an id", self.name, message.message_id)
        self._share_parts(accepted)
        return Accepted(reference=accepted[0])

    def _remembering(self, sent: SentPart) -> Callable[[str], None]:
        def remember(message_id: str) -> None:
            self._submitted.remember(message_id, SentPart(sent.reference or message_id, sent.part, sent.parts))

        return remember

    def _share_parts(self, accepted: list[str]) -> None:
        # A long message's later parts have ids of their own; another worker process receiving their
        # receipts finds the first part's id (the message's reference) through the shared cache.
        if len(accepted) < 2:
            return
        entries = {
            self._part_key(message_id): SentPart(accepted[0], number, len(accepted)).encoded()
            for number, message_id in enumerate(accepted, start=1)
            if message_id
        }
        try:
            cache.set_many(entries, timeout=PART_MAP_SECONDS)
        except Exception:
            logger.warning("Could not share the part ids of a long message on %s", self.name, exc_info=True)

    def _part_key(self, message_id: str) -> str:
        return f"notifications:smpp:{self.name}:part:{canonical_id(message_id)}"

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

    def _store_receipt(self, pdu: Any) -> tuple[int, int | None]:
        """Runs in the receipt thread: the deliver_sm_resp status, and a receipt id to apply again."""
        try:
            report = parse_receipt(pdu, self.config.receipt_timezone)
        except Exception:
            logger.warning("Unreadable receipt from %s; acknowledged and ignored", self.name, exc_info=True)
            return ESME_ROK, None
        if report is None:
            logger.info("deliver_sm from %s is not a delivery receipt (a reply?); acknowledged and ignored", self.name)
            return ESME_ROK, None
        status = RECEIPT_STATUSES.get(report.stat)
        if not report.message_id or status is None:
            logger.warning(
                "Receipt from %s without a usable id or state (stat %r); acknowledged and ignored",
                self.name,
                report.stat,
            )
            return ESME_ROK, None
        attempt = 1
        while True:
            try:
                return ESME_ROK, self._record(report, status)
            except DatabaseError:
                if attempt == STORE_TRIES:
                    logger.exception("Could not store a receipt from %s; asked the SMSC to send it again", self.name)
                    return consts.SMPP_ESME_RX_T_APPN, None
                # A lock or a database fail-over: worth a moment's wait before troubling the SMSC.
                logger.info("Storing a receipt from %s failed (try %s); trying again", self.name, attempt)
                time.sleep(0.05 * 2**attempt)
                attempt += 1

    def _record(self, report: DeliveryReport, status: str) -> int | None:
        """Store the receipt; its id if it should be applied again shortly (it beat its "sent")."""
        close_old_connections()
        reference, sent = self._match(report.message_id)
        if sent is not None and sent.parts > 1:
            report.payload["part"] = f"{sent.part}/{sent.parts}"
            if status == ReceiptStatus.DELIVERED and sent.part < sent.parts:
                status = ReceiptStatus.PENDING  # the message is delivered when its last part is
        with transaction.atomic():
            receipt = record_receipt(
                provider=self.name,
                provider_reference=reference,
                status=status,
                provider_status=report.stat,
                error_code=report.error,
                done_at=report.done_at,
                payload=report.payload,
            )
        if sent is None:
            # Sent by another process and not yet marked sent, or forged: the sweeper decides.
            logger.info("Receipt %s from %s matches no message this process knows yet", receipt.pk, self.name)
            return None
        return receipt.pk if DeliveryReceipt.objects.filter(pk=receipt.pk, processed_at__isnull=True).exists() else None

    def _match(self, receipt_id: str) -> tuple[str, SentPart | None]:
        """The reference delivery stored for the message this receipt is about, and which part it is.

        Looked for in this process's memory, then in the shared cache (later parts of long messages),
        then among the messages this provider accepted. Unmatched, the receipt is stored under its
        likeliest spelling: the sweeper matches it once its message is marked sent.
        """
        spellings = id_spellings(receipt_id, self.config.receipt_ids, cross_first=self._cross_spelling_seen)
        matched = self._submitted.find(spellings) or self._find_shared(spellings) or self._find_sent(spellings)
        if matched is None:
            return spellings[0], None
        spelling, sent = matched
        if self.config.receipt_ids == "auto" and canonical_id(spelling) != canonical_id(receipt_id):
            if not self._cross_spelling_seen:
                logger.info("SMSC %s writes receipt ids in another base; set receipt_ids to say which", self.name)
            self._cross_spelling_seen = True  # later receipts try the other base first
        return sent.reference, sent

    def _find_shared(self, spellings: list[str]) -> tuple[str, SentPart] | None:
        try:
            found = cache.get_many([self._part_key(spelling) for spelling in spellings])
        except Exception:
            logger.warning("Could not read the shared part ids of %s", self.name, exc_info=True)
            return None
        for spelling in spellings:
            sent = SentPart.decoded(found.get(self._part_key(spelling)))
            if sent is not None:
                return spelling, sent
        return None

    def _find_sent(self, spellings: list[str]) -> tuple[str, SentPart] | None:
        references = set(
            Message.objects.filter(provider=self.name, provider_reference__in=spellings).values_list(
                "provider_reference", flat=True
            )
        )
        spelling = next((spelling for spelling in spellings if spelling in references), None)
        return None if spelling is None else (spelling, SentPart(spelling, 1, 1))
