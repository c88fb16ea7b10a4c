"""The words the notifications app speaks: channels, priorities, statuses and attempt outcomes."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    SMS = "sms", _("SMS")
    EMAIL = "email", _("E-mail")
    PUSH = "push", _("Push notification")


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
