"""The operator's options for one SMPP provider, checked when the provider is built (see __init__)."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from smpplib import consts

from bawaba.notifications.providers.smpp.addresses import address_type


@dataclass(frozen=True)
class SmppOptions:
    host: str
    port: int
    system_id: str
    password: str = field(repr=False)  # never in a traceback or error report
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
    validity_period: bool

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
        validity_period = options.get("validity_period", True)
        if not isinstance(validity_period, bool):
            # A string "false" would be true: only JSON's own true and false say what the operator meant.
            raise problem("validity_period must be true or false")
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
                receipt_ids=choice("receipt_ids", ("as_submitted", "auto", "decimal", "hex")),
                receipt_timezone=receipt_timezone,
                permanent_errors=frozenset(int(str(code), 0) for code in options.get("permanent_errors", ())),
                validity_period=validity_period,
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
