"""submit_sm's validity_period: how long the SMSC may keep trying to deliver a message that expires."""

from __future__ import annotations

import datetime as dt
import math

# SMSCs keep a message for a few days at most; and some read a relative period with a date parser,
# refusing a day count a month could not have. Beyond this we leave the period to the SMSC.
MAX_RELATIVE_MINUTES = 30 * 24 * 60


def relative_validity_period(expires_at: dt.datetime | None, now: dt.datetime) -> str:
    """SMPP 3.4 relative time (§7.1.1, "YYMMDDhhmmss000R") from `now` until `expires_at`; "" for none.

    Relative rather than absolute: the SMSC counts from when it receives the PDU, so neither its
    clock nor its idea of our timezone matters. Whole minutes, rounded up and at least one: an SMSC
    trying a minute too long costs nothing, one giving up on a code that still works costs a citizen
    a new one, and some SMSCs refuse or round away periods shorter than a minute.
    """
    if expires_at is None:
        return ""
    minutes = max(1, math.ceil((expires_at - now).total_seconds() / 60))
    if minutes > MAX_RELATIVE_MINUTES:
        return ""
    hours, minutes = divmod(minutes, 60)
    days, hours = divmod(hours, 24)
    return f"0000{days:02d}{hours:02d}{minutes:02d}00000R"
