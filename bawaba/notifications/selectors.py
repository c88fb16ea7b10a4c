"""Read-only questions other apps ask about messages."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from bawaba.notifications.constants import Status
from bawaba.notifications.models import Message
from bawaba.notifications.providers.config import providers_for

# What a citizen is told, in plain words, about a message sent to them.
PUBLIC_STATUSES: dict[str, tuple[str, Promise]] = {
    Status.CREATED: ("sending", _("Being sent")),
    Status.QUEUED: ("sending", _("Being sent")),
    Status.SENDING: ("sending", _("Being sent")),
    Status.SENT: ("sent", _("Sent to your mobile operator")),
    Status.DELIVERED: ("delivered", _("Delivered to your phone")),
    Status.FAILED: ("not_delivered", _("Not delivered")),
    Status.EXPIRED: ("not_delivered", _("Not delivered")),
}


@dataclass(frozen=True)
class PublicStatus:
    code: str  # sending, sent, delivered, not_delivered
    label: str
    status: str  # the internal status, for callers that need more detail


def public_status(message_id: uuid.UUID | str) -> PublicStatus | None:
    status = Message.objects.filter(pk=message_id).values_list("status", flat=True).first()
    if status is None:
        return None
    code, label = PUBLIC_STATUSES[status]
    return PublicStatus(code, str(label), status)


def channel_available(channel: str) -> bool:
    """Whether the operator configured at least one provider for `channel` ("sms", "voice", "whatsapp"...)."""
    return bool(providers_for(channel))


def provider_count(channel: str) -> int:
    """How many providers carry `channel`: a resend "through another provider" needs at least two."""
    return len(providers_for(channel))
