"""The SMSC's message ids: their spellings in receipts, and which part of which message each one is."""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any


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
