"""Pages that exist in development only: the outbox, where a developer reads the codes "sent" by SMS.

Nothing here is linked from any page. The setting is read on every request, so switching it off in a
running process (or a test) closes the page at once.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from bawaba.notifications.constants import Channel
from bawaba.notifications.providers.outbox import recent_outbox

OUTBOX_PAGE_SIZE = 50


def _when(value: Any) -> dt.datetime | None:
    try:
        return dt.datetime.fromisoformat(str(value))
    except ValueError:
        return None


LOOPBACK = frozenset({"127.0.0.1", "::1"})


def outbox(request: HttpRequest) -> HttpResponse:
    # Development only, and only to this machine: a server left in dev mode on a reachable address
    # must not publish everyone's codes.
    if not settings.BAWABA_NOTIFY_DEV_PAGES or request.META.get("REMOTE_ADDR") not in LOOPBACK:
        raise Http404
    channels = dict(Channel.choices)
    records = [
        {
            **record,
            "sent": _when(record.get("sent_at") or record.get("created_at")),
            "channel_label": channels.get(str(record.get("channel")), record.get("channel")),
        }
        for record in recent_outbox(OUTBOX_PAGE_SIZE)
    ]
    response = TemplateResponse(request, "notifications/dev_outbox.html", {"records": records})
    # One-time codes are on this page: no search engine, no cache keeps it.
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Cache-Control"] = "no-store"
    return response
