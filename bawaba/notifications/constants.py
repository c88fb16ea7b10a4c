"""The words the notifications app speaks: channels, priorities, statuses and attempt outcomes."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    SMS = "sms", _("SMS")
    EMAIL = "email", _("E-mail")
    PUSH = "push", _("Push notification")
    VOICE = "voice", _("Voice call")  # the text is read out by a voice gateway
    WHATSAPP = "whatsapp", _("WhatsApp")


# Channels that reach a mobile phone number: the recipient is checked and written the same way (E.164).
PHONE_CHANNELS = frozenset({Channel.SMS, Channel.VOICE, Channel.WHATSAPP})
# Other channels a template may be sent by, to the same recipient (send(..., channel=...)): a code that
# does not come by SMS can be read out in a call or sent by WhatsApp (decision 0013).
ALTERNATIVE_CHANNELS: dict[str, frozenset[str]] = {Channel.SMS: frozenset({Channel.VOICE, Channel.WHATSAPP})}
# Channels whose messages keep the values their text was made from (Message.template_values), for
# gateways that take a template's parameters rather than our text (WhatsApp Business templates) or
# read the code out in their own words. Erased with the text.
VALUES_KEPT_FOR = frozenset({Channel.VOICE, Channel.WHATSAPP})
# Channels whose text is read on the phone's screen as written: the template editor shows its SMS length.
LENGTH_COUNTED_CHANNELS = frozenset({Channel.SMS, Channel.WHATSAPP})


class Priority(models.TextChoices):
    # One-time codes: tried on the next provider within seconds, never sent after they expire.
    URGENT = "urgent", _("Urgent")
    # Everything else: retried with backoff for hours.
    NORMAL = "normal", _("Normal")


class Status(models.TextChoices):
    CREATED = "created", _("Created")  # stored and handed to a queue; no worker has taken it yet
    QUEUED = "queued", _("Queued")  # tried without success; waiting for its next round
    SENDING = "sending", _("Sending")  # a worker holds it (until lease_until)
    SENT = "sent", _("Sent")  # a provider accepted it
    DELIVERED = "delivered", _("Delivered")  # the provider's receipt says it reached the phone
    FAILED = "failed", _("Failed")  # see failure_kind
    EXPIRED = "expired", _("Expired")  # too late to be worth sending


# A message in one of these states will not change again, except SENT, which a receipt may move on.
FINAL_STATUSES = frozenset({Status.DELIVERED, Status.FAILED, Status.EXPIRED})
# States in which nobody has handed the message to a provider yet: the sweeper re-drives them.
WAITING_STATUSES = frozenset({Status.CREATED, Status.QUEUED})


class FailureKind(models.TextChoices):
    PERMANENT = "permanent", _("Permanent")  # the number or address cannot receive it; retrying won't help
    TEMPORARY = "temporary", _("Temporary")  # every try failed for reasons that might have passed


class Outcome(models.TextChoices):
    """What one attempt with one provider came to."""

    PENDING = "pending", _("Pending")  # asked; no answer yet
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")  # the provider said no, permanently
    FAILED = "failed", _("Failed")  # could not reach it or it said "try later"; it surely did not take the message
    # It may have taken the message (a timeout after the request went out, a worker that died mid-call).
    # That provider is never asked again for this message, so no citizen gets two codes.
    UNKNOWN = "unknown", _("Unknown")


# Outcomes after which the provider must not be asked again for the same message.
NO_RETRY_OUTCOMES = frozenset({Outcome.ACCEPTED, Outcome.UNKNOWN, Outcome.PENDING})


class ReceiptStatus(models.TextChoices):
    DELIVERED = "delivered", _("Delivered")
    UNDELIVERED = "undelivered", _("Not delivered")  # final, the phone will not get it
    PENDING = "pending", _("Still trying")  # an intermediate receipt ("enroute", "accepted")
