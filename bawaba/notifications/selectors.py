"""Read-only questions other apps ask about messages."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from bawaba.notifications.constants import Channel, Status
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
# The same codes in the words of a call or a WhatsApp message, where the SMS wording would be wrong.
PUBLIC_LABELS_BY_CHANNEL: dict[str, dict[str, Promise]] = {
    Channel.VOICE: {
        "sending": _("We are about to call you"),
        "sent": _("Calling your phone"),
        "delivered": _("The call was answered"),
        "not_delivered": _("The call did not get through"),
    },
    Channel.WHATSAPP: {
        "sent": _("Sent to WhatsApp"),
        "delivered": _("Delivered to WhatsApp on your phone"),
    },
}


@dataclass(frozen=True)
class PublicStatus:
    code: str  # sending, sent, delivered, not_delivered
    label: str
    status: str  # the internal status, for callers that need more detail


def _message_id(message_id: uuid.UUID | str) -> uuid.UUID | None:
    try:
        return message_id if isinstance(message_id, uuid.UUID) else uuid.UUID(str(message_id))
    except ValueError:
        return None


def public_status(message_id: uuid.UUID | str) -> PublicStatus | None:
    found = _message_id(message_id)
    row = Message.objects.filter(pk=found).values_list("status", "channel").first() if found else None
    if row is None:
        return None
    status, channel = row
    code, label = PUBLIC_STATUSES[status]
    label = PUBLIC_LABELS_BY_CHANNEL.get(channel, {}).get(code, label)
    return PublicStatus(code, str(label), status)


def message_provider(message_id: uuid.UUID | str) -> str:
    """The provider that accepted the message, '' if none did (yet): a resend can then avoid it."""
    found = _message_id(message_id)
    if found is None:
        return ""
    return Message.objects.filter(pk=found).values_list("provider", flat=True).first() or ""


def channel_available(channel: str) -> bool:
    """Whether the operator configured at least one provider for `channel` ("sms", "voice", "whatsapp"...)."""
    return bool(providers_for(channel))


def provider_count(channel: str) -> int:
    """How many providers carry `channel`: a resend "through another provider" needs at least two."""
    return len(providers_for(channel))
