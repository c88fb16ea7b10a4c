"""Source and destination addresses as SMPP writes them: digits or a short name, with a TON and NPI."""

from __future__ import annotations

import re

from smpplib import consts

NUMERIC_ADDRESS = re.compile(r"\+?[0-9]{1,20}")
ALPHANUMERIC_ADDRESS = re.compile(r"[A-Za-z0-9 .\-_]{1,11}")


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
