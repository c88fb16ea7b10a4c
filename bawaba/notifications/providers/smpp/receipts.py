"""Reading a delivery receipt out of a deliver_sm: its TLVs, else its text (SMPP 3.4 Appendix B)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from smpplib import consts

from bawaba.notifications.constants import ReceiptStatus

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
RECEIPT_ID = re.compile(r"[A-Za-z0-9_.:\-]{1,65}")
RECEIPT_FIELD = re.compile(r"\b(id|sub|dlvrd|submit[ _]date|done[ _]date|stat|err|text)\s*:", re.IGNORECASE)


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
