"""How figures read on an operator's screen: durations in the unit that fits, shares as percentages."""

from __future__ import annotations

from django.utils.formats import number_format
from django.utils.translation import gettext as _

NONE = "—"


def latency(milliseconds: float | None) -> str:
    """850 ms, 1.2 s, 3.5 min, 1.1 h: an operator compares orders of magnitude, not digits."""
    if milliseconds is None:
        return NONE
    if milliseconds < 1000:
        return _("%(value)s ms") % {"value": number_format(round(milliseconds))}
    seconds = milliseconds / 1000
    if seconds < 60:
        return _("%(value)s s") % {"value": number_format(seconds, 1)}
    if seconds < 3600:
        return _("%(value)s min") % {"value": number_format(seconds / 60, 1)}
    return _("%(value)s h") % {"value": number_format(seconds / 3600, 1)}


def share(fraction: float | None) -> str:
    if fraction is None:
        return NONE
    return _("%(value)s%%") % {"value": number_format(fraction * 100, 1)}


def count(value: int) -> str:
    return number_format(value, force_grouping=True)
