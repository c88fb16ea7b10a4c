"""Storing a delivery receipt through record_receipt, under the reference of the message it is about.

SMSCs write ids differently in receipts (another base, case, leading zeros), and a long message's
later parts have ids of their own: this finds the message in this process's memory, the shared cache
or the database, and stores the receipt anyway when it finds none (the sweeper matches it later).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from django.core.cache import cache
from django.db import DatabaseError, close_old_connections, transaction
from smpplib import consts

from bawaba.notifications.constants import ReceiptStatus
from bawaba.notifications.models import DeliveryReceipt, Message
from bawaba.notifications.providers.smpp.message_ids import SentPart, SubmittedIds, canonical_id, id_spellings
from bawaba.notifications.providers.smpp.options import SmppOptions
from bawaba.notifications.providers.smpp.receipts import RECEIPT_STATUSES, DeliveryReport, parse_receipt
from bawaba.notifications.receipts import record_receipt

logger = logging.getLogger(__name__)

ESME_ROK = consts.SMPP_ESME_ROK
STORE_TRIES = 5  # storing a receipt, before asking the SMSC to send it again (about 1.5 s)
PART_MAP_SECONDS = 3 * 24 * 3600  # SMSCs keep trying for up to 72 hours (a typical validity period)


class ReceiptStore:
    """What one provider's sessions were given ids for, and the receipts that come back for them."""

    def __init__(self, provider_name: str, options: SmppOptions) -> None:
        self.provider_name = provider_name
        self.options = options
        self._submitted = SubmittedIds()
        self._cross_spelling_seen = False

    # ids, as the SMSC hands them out

    def remembering(self, sent: SentPart) -> Callable[[str], None]:
        """What the reader calls with submit_sm_resp's id, before the sender wakes."""

        def remember(message_id: str) -> None:
            self._submitted.remember(message_id, SentPart(sent.reference or message_id, sent.part, sent.parts))

        return remember

    def share_parts(self, accepted: list[str]) -> None:
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
            logger.warning("Could not share the part ids of a long message on %s", self.provider_name, exc_info=True)

    def _part_key(self, message_id: str) -> str:
        return f"notifications:smpp:{self.provider_name}:part:{canonical_id(message_id)}"

    # receipts

    def store(self, pdu: Any) -> tuple[int, int | None]:
        """Runs in the receipt thread: the deliver_sm_resp status, and a receipt id to apply again."""
        name = self.provider_name
        try:
            report = parse_receipt(pdu, self.options.receipt_timezone)
        except Exception:
            logger.warning("Unreadable receipt from %s; acknowledged and ignored", name, exc_info=True)
            return ESME_ROK, None
        if report is None:
            logger.info("deliver_sm from %s is not a delivery receipt (a reply?); acknowledged and ignored", name)
            return ESME_ROK, None
        status = RECEIPT_STATUSES.get(report.stat)
        if not report.message_id or status is None:
            logger.warning(
                "Receipt from %s without a usable id or state (stat %r); acknowledged and ignored", name, report.stat
            )
            return ESME_ROK, None
        attempt = 1
        while True:
            try:
                return ESME_ROK, self._record(report, status)
            except DatabaseError:
                if attempt == STORE_TRIES:
                    logger.exception("Could not store a receipt from %s; asked the SMSC to send it again", name)
                    return consts.SMPP_ESME_RX_T_APPN, None
                # A lock or a database fail-over: worth a moment's wait before troubling the SMSC.
                logger.info("Storing a receipt from %s failed (try %s); trying again", name, attempt)
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
                provider=self.provider_name,
                provider_reference=reference,
                status=status,
                provider_status=report.stat,
                error_code=report.error,
                done_at=report.done_at,
                payload=report.payload,
            )
        if sent is None:
            # Sent by another process and not yet marked sent, or forged: the sweeper decides.
            logger.info("Receipt %s from %s matches no message this process knows yet", receipt.pk, self.provider_name)
            return None
        return receipt.pk if DeliveryReceipt.objects.filter(pk=receipt.pk, processed_at__isnull=True).exists() else None

    def _match(self, receipt_id: str) -> tuple[str, SentPart | None]:
        """The reference delivery stored for the message this receipt is about, and which part it is.

        Looked for in this process's memory, then in the shared cache (later parts of long messages),
        then among the messages this provider accepted. Unmatched, the receipt is stored under its
        likeliest spelling: the sweeper matches it once its message is marked sent.
        """
        spellings = id_spellings(receipt_id, self.options.receipt_ids, cross_first=self._cross_spelling_seen)
        matched = self._submitted.find(spellings) or self._find_shared(spellings) or self._find_sent(spellings)
        if matched is None:
            return spellings[0], None
        spelling, sent = matched
        if self.options.receipt_ids == "auto" and canonical_id(spelling) != canonical_id(receipt_id):
            if not self._cross_spelling_seen:
                logger.info(
                    "SMSC %s writes receipt ids in another base; set receipt_ids to say which", self.provider_name
                )
            self._cross_spelling_seen = True  # later receipts try the other base first
        return sent.reference, sent

    def _find_shared(self, spellings: list[str]) -> tuple[str, SentPart] | None:
        try:
            found = cache.get_many([self._part_key(spelling) for spelling in spellings])
        except Exception:
            logger.warning("Could not read the shared part ids of %s", self.provider_name, exc_info=True)
            return None
        for spelling in spellings:
            sent = SentPart.decoded(found.get(self._part_key(spelling)))
            if sent is not None:
                return spelling, sent
        return None

    def _find_sent(self, spellings: list[str]) -> tuple[str, SentPart] | None:
        references = set(
            Message.objects.filter(provider=self.provider_name, provider_reference__in=spellings).values_list(
                "provider_reference", flat=True
            )
        )
        spelling = next((spelling for spelling in spellings if spelling in references), None)
        return None if spelling is None else (spelling, SentPart(spelling, 1, 1))
