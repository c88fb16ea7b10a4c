"""What the account pages share about a verification in progress: the ticket kept in the session, and waits
said in plain words. The session is server-side, so the ticket never reaches the page or its scripts."""

from __future__ import annotations

import math
from dataclasses import asdict
from typing import Any

from django.contrib.sessions.backends.base import SessionBase
from django.utils.translation import ngettext

from bawaba.accounts.verification.selectors import VerificationState

SESSION_KEY = "bawaba_verification"
# After "no account for this number", the sign-up form starts with the number the person just proved.
PREFILL_KEY = "bawaba_signup_phone"
FLOWS = ("signup", "recovery")


def held_ticket(session: SessionBase) -> tuple[str, str] | None:
    """(ticket, flow) of the verification this browser is in the middle of, if any."""
    held = session.get(SESSION_KEY)
    if not isinstance(held, dict) or held.get("flow") not in FLOWS or not isinstance(held.get("ticket"), str):
        return None
    return held["ticket"], held["flow"]


def hold_ticket(session: SessionBase, *, ticket: str, flow: str) -> None:
    session[SESSION_KEY] = {"ticket": ticket, "flow": flow}


def release_ticket(session: SessionBase) -> None:
    session.pop(SESSION_KEY, None)


def wait_words(seconds: int) -> str:
    """'28 seconds', '3 minutes', '2 hours': rounded up, so nobody comes back too early."""
    if seconds < 60:
        return ngettext("%(count)d second", "%(count)d seconds", seconds) % {"count": seconds}
    if seconds < 3600:
        minutes = math.ceil(seconds / 60)
        return ngettext("%(count)d minute", "%(count)d minutes", minutes) % {"count": minutes}
    hours = math.ceil(seconds / 3600)
    return ngettext("%(count)d hour", "%(count)d hours", hours) % {"count": hours}


def state_as_dict(state: VerificationState) -> dict[str, Any]:
    """The state as the API and the page's script read it."""
    data = asdict(state)
    data["alternatives"] = list(state.alternatives)
    return data
