"""Templates, the messages made from them, each try to hand one over, and what providers report back.

The database is the source of truth: a message is a row before it is anything else, and queues only
say "go and do it now". A crashed worker or a lost Redis leaves rows the sweeper picks up again.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from bawaba.notifications.constants import Channel, FailureKind, Outcome, Priority, ReceiptStatus, Status


class MessageTemplate(models.Model):
    """What a message says, in each language; other apps send by `name`.

    Values are written as ((name)) in the text, as in GOV.UK Notify, so a template is plain text that
    editors can read and no value can reach Python's string formatting.
    """

    name = models.SlugField(
        _("name"), max_length=80, unique=True, help_text=_("Other parts of the portal send by this name.")
    )
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    description = models.CharField(_("what it is for"), max_length=300, blank=True)
    sensitive = models.BooleanField(
        _("contains a secret"),
        default=False,
        help_text=_("One-time codes and the like: the text is erased from the database once it has been handed over."),
    )
    sender = models.CharField(
        _("sender"),
        max_length=64,
        blank=True,
        help_text=_("SMS sender name or e-mail From; empty for the provider's default."),
    )
    subject_ar = models.CharField(_("subject (Arabic)"), max_length=200, blank=True)
    subject_ckb = models.CharField(_("subject (Kurdish)"), max_length=200, blank=True)
    subject_en = models.CharField(_("subject (English)"), max_length=200, blank=True)
    body_ar = models.TextField(_("text (Arabic)"))
    body_ckb = models.TextField(_("text (Kurdish)"), blank=True)
    body_en = models.TextField(_("text (English)"), blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("message template")
        verbose_name_plural = _("message templates")

    def __str__(self) -> str:
        return self.name


class Message(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    template = models.ForeignKey(
        MessageTemplate, on_delete=models.PROTECT, related_name="messages", verbose_name=_("template")
    )
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    recipient = models.CharField(_("to"), max_length=320)
    operator = models.CharField(_("mobile operator"), max_length=32, blank=True)
    language = models.CharField(_("language"), max_length=8)
    sender = models.CharField(_("sender"), max_length=64, blank=True)
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    body = models.TextField(_("text"))
    redacted = models.BooleanField(_("text erased"), default=False)
    # The values the text was made from, kept only for channels whose gateways want them apart from the
    # text (a WhatsApp template's parameters, a voice gateway's code); erased with the text.
    template_values = models.JSONField(_("values"), default=dict, blank=True)
    priority = models.CharField(_("priority"), max_length=8, choices=Priority.choices, default=Priority.NORMAL)
    reference = models.CharField(
        _("reference"), max_length=120, blank=True, help_text=_("What the sending part of the portal calls it.")
    )

    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.CREATED)
    failure_kind = models.CharField(_("failure"), max_length=12, choices=FailureKind.choices, blank=True)
    failure_reason = models.CharField(_("failure reason"), max_length=300, blank=True)
    provider = models.CharField(_("provider"), max_length=64, blank=True, help_text=_("The provider that accepted it."))
    provider_reference = models.CharField(_("provider's reference"), max_length=120, blank=True)
    # Providers kept out of the first round of tries (a resend after a code that never came), unless no
    # other provider for the channel can take it.
    avoid_providers = models.JSONField(_("providers to avoid at first"), default=list, blank=True)

    created_at = models.DateTimeField(_("created"), db_index=True)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    next_attempt_at = models.DateTimeField(_("next try"), null=True, blank=True)
    lease_until = models.DateTimeField(_("held by a worker until"), null=True, blank=True)
    # Which claim holds it: a worker whose lease ran out and was taken over can no longer write.
    claim_token = models.UUIDField(null=True, blank=True, editable=False)
    sent_at = models.DateTimeField(_("accepted by the provider"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    accept_latency_ms = models.PositiveIntegerField(_("time to acceptance (ms)"), null=True, blank=True)
    delivery_latency_ms = models.PositiveIntegerField(_("time from acceptance to delivery (ms)"), null=True, blank=True)
    rounds = models.PositiveSmallIntegerField(_("rounds of tries"), default=0)
    sweeps = models.PositiveSmallIntegerField(_("times re-driven by the sweeper"), default=0)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="notif_msg_status_next"),
            models.Index(fields=["provider", "provider_reference"], name="notif_msg_provider_ref"),
            models.Index(fields=["reference"], name="notif_msg_reference"),
            models.Index(fields=["recipient", "created_at"], name="notif_msg_recipient"),
            models.Index(fields=["sent_at"], name="notif_msg_sent_at"),
        ]

    def __str__(self) -> str:
        return f"{self.template_id}→{self.recipient} ({self.status})"


class Attempt(models.Model):
    """One try to hand one message to one provider."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attempts")
    provider = models.CharField(_("provider"), max_length=64)
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome.choices, default=Outcome.PENDING)
    started_at = models.DateTimeField(_("started"))
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    latency_ms = models.PositiveIntegerField(_("latency (ms)"), null=True, blank=True)
    error_code = models.CharField(_("error code"), max_length=64, blank=True)
    error = models.CharField(_("error"), max_length=500, blank=True)

    class Meta:
        ordering = ["started_at"]
        verbose_name = _("attempt")
        verbose_name_plural = _("attempts")
        indexes = [models.Index(fields=["provider", "started_at"], name="notif_attempt_provider_time")]

    def __str__(self) -> str:
        return f"{self.provider}: {self.outcome}"


class DeliveryReceipt(models.Model):
    """What a provider said happened to a message it accepted; stored first, applied after."""

    provider = models.CharField(_("provider"), max_length=64)
    provider_reference = models.CharField(_("provider's reference"), max_length=120)
    status = models.CharField(_("status"), max_length=12, choices=ReceiptStatus.choices)
    provider_status = models.CharField(_("provider's status"), max_length=32, blank=True)
    error_code = models.CharField(_("error code"), max_length=32, blank=True)
    done_at = models.DateTimeField(_("done, by the provider's clock"), null=True, blank=True)
    received_at = models.DateTimeField(_("received"))
    payload = models.JSONField(_("as received"), default=dict, blank=True)
    message = models.ForeignKey(Message, on_delete=models.SET_NULL, null=True, blank=True, related_name="receipts")
    processed_at = models.DateTimeField(_("applied"), null=True, blank=True)

    class Meta:
        ordering = ["-received_at"]
        verbose_name = _("delivery receipt")
        verbose_name_plural = _("delivery receipts")
        indexes = [models.Index(fields=["processed_at", "received_at"], name="notif_receipt_pending")]

    def __str__(self) -> str:
        return f"{self.provider}:{self.provider_reference} {self.status}"


class ProviderState(models.Model):
    """What operators and the health check decide about a provider at run time; its setup stays in config."""

    name = models.CharField(_("provider"), max_length=64, primary_key=True)
    paused = models.BooleanField(_("paused"), default=False)
    paused_at = models.DateTimeField(_("paused at"), null=True, blank=True)
    paused_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # 1.0 is a healthy provider's full share; errors and slow receipts push it down, recovery drifts it back.
    health = models.FloatField(_("health"), default=1.0)
    health_reason = models.CharField(_("why"), max_length=300, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("provider")
        # The admin shows the delivery dashboard in place of this model's list.
        verbose_name_plural = _("delivery dashboard")

    def __str__(self) -> str:
        return self.name
