"""Messages and delivery receipts in the admin: read-only, for finding out what happened to one message.

Nobody edits, adds or deletes here: a message's history is what the delivery code wrote. The text of
a template marked as containing a secret (one-time codes) is never shown, even before it is erased.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from django.contrib import admin
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from bawaba.core.errors import ValidationFailed
from bawaba.notifications.admin.display import latency
from bawaba.notifications.admin.filters import OperatorFilter, ProviderFilter
from bawaba.notifications.constants import Channel
from bawaba.notifications.models import Attempt, DeliveryReceipt, Message
from bawaba.notifications.recipients import OPERATOR_NAMES, normalise_email, normalise_phone

HIDDEN_SECRET = _("Not shown: this template contains a secret.")
ERASED = _("Erased after sending.")


class ReadOnlyMixin:
    """Shown, never written: nobody adds, changes or deletes delivery records by hand."""

    # The only query-string filters the list accepts: those its own filters use. Django's admin would
    # otherwise take any lookup on the model's fields (?body__startswith=4), and a clerk could read a
    # one-time code a digit at a time from the number of matching rows.
    allowed_lookups: frozenset[str] = frozenset()

    def lookup_allowed(self, lookup: str, value: str, request: HttpRequest | None = None) -> bool:
        return lookup in self.allowed_lookups

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class MessagePartInline(ReadOnlyMixin, admin.TabularInline):
    """Rows that belong to a message: whoever may see the message sees them with it."""

    extra = 0
    can_delete = False
    show_change_link = False

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(request.user.has_perm("notifications.view_message"))


class AttemptInline(MessagePartInline):
    model = Attempt
    fields = ("provider", "outcome", "started_at", "shown_latency", "error_code", "error")
    readonly_fields = fields
    ordering = ("started_at",)
    verbose_name_plural = _("tries with providers")

    @admin.display(description=_("latency"))
    def shown_latency(self, obj: Attempt) -> str:
        return latency(obj.latency_ms)


class ReceiptInline(MessagePartInline):
    model = DeliveryReceipt
    fields = ("received_at", "provider", "status", "provider_status", "error_code", "done_at", "processed_at")
    readonly_fields = fields
    ordering = ("received_at",)
    verbose_name_plural = _("delivery receipts")


@admin.register(Message)
class MessageAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = (
        "created_at",
        "status",
        "channel",
        "priority",
        "template",
        "recipient",
        "operator_name",
        "provider",
        "shown_accept_latency",
    )
    list_filter = ("status", "channel", "priority", ProviderFilter, OperatorFilter, "template")
    allowed_lookups = frozenset(
        {"status__exact", "channel__exact", "priority__exact", "provider", "operator", "template__id__exact"}
    )
    list_select_related = ("template",)
    # The search is exact (see get_search_results); this only turns the search box on.
    search_fields = ("=recipient",)
    search_help_text = _("An exact phone number (written any way), e-mail address, reference or message id.")
    # Counting a million-row table twice per page is the slow part of a big changelist.
    show_full_result_count = False
    list_per_page = 50
    actions = None
    inlines = (AttemptInline, ReceiptInline)
    fieldsets = [
        (None, {"fields": ["id", "status", "template", "channel", "priority", "reference"]}),
        (_("To"), {"fields": ["recipient", "operator_name", "language", "sender"]}),
        (_("Text"), {"fields": ["shown_subject", "shown_body"]}),
        (
            _("Delivery"),
            {
                "fields": [
                    "provider",
                    "provider_reference",
                    "shown_avoid_providers",
                    "failure_kind",
                    "failure_reason",
                    "rounds",
                    "sweeps",
                    "shown_accept_latency",
                    "shown_delivery_latency",
                ]
            },
        ),
        (
            _("Times"),
            {
                "fields": [
                    "created_at",
                    "expires_at",
                    "next_attempt_at",
                    "lease_until",
                    "sent_at",
                    "delivered_at",
                    "completed_at",
                ]
            },
        ),
    ]
    readonly_fields = [str(field) for _title, options in fieldsets for field in options["fields"]]

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Message], search_term: str
    ) -> tuple[QuerySet[Message], bool]:
        term = search_term.strip()
        if not term:
            return queryset, False
        # Exact matches only, each served by an index: a LIKE over every message would not scale.
        wanted = Q(recipient=term) | Q(reference=term)
        for normalise in (normalise_phone, normalise_email):
            try:
                wanted |= Q(recipient=normalise(term).address)
            except ValidationFailed:
                continue
        try:
            wanted |= Q(pk=uuid.UUID(term))
        except ValueError:
            pass
        return queryset.filter(wanted), False

    @admin.display(description=_("mobile operator"), ordering="operator")
    def operator_name(self, obj: Message) -> str:
        return OPERATOR_NAMES.get(obj.operator, obj.operator)

    @admin.display(description=_("time to acceptance"), ordering="accept_latency_ms")
    def shown_accept_latency(self, obj: Message) -> str:
        return latency(obj.accept_latency_ms)

    @admin.display(description=_("time from acceptance to delivery"))
    def shown_delivery_latency(self, obj: Message) -> str:
        return latency(obj.delivery_latency_ms)

    @admin.display(description=_("providers to avoid at first"))
    def shown_avoid_providers(self, obj: Message) -> str:
        return ", ".join(obj.avoid_providers or ()) or "—"

    @admin.display(description=_("subject"))
    def shown_subject(self, obj: Message) -> str:
        if obj.channel != Channel.EMAIL:
            return "—"  # only e-mails have one
        return _secret_or(obj, obj.subject)

    @admin.display(description=_("text"))
    def shown_body(self, obj: Message) -> str:
        return _secret_or(obj, obj.body)


def _secret_or(message: Message, text: str) -> str:
    if message.redacted:
        return str(ERASED)
    if message.template.sensitive:
        return str(HIDDEN_SECRET)
    return text


@admin.register(DeliveryReceipt)
class DeliveryReceiptAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = (
        "received_at",
        "provider",
        "provider_reference",
        "status",
        "provider_status",
        "error_code",
        "message_link",
        "processed_at",
    )
    list_filter = ("status", ProviderFilter)
    allowed_lookups = frozenset({"status__exact", "provider"})
    search_fields = ("=provider_reference",)
    search_help_text = _("The provider's exact reference for the message.")
    show_full_result_count = False
    list_per_page = 50
    actions = None
    fields = (
        "provider",
        "provider_reference",
        "status",
        "provider_status",
        "error_code",
        "done_at",
        "received_at",
        "processed_at",
        "message_link",
        "shown_payload",
    )
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[DeliveryReceipt]:
        return super().get_queryset(request).select_related("message__template")

    @admin.display(description=_("message"))
    def message_link(self, obj: DeliveryReceipt) -> SafeString | str:
        if obj.message_id is None:
            return "—"
        return format_html(
            '<a href="{}">{}</a>', reverse("admin:notifications_message_change", args=[obj.message_id]), obj.message_id
        )

    @admin.display(description=_("as received"))
    def shown_payload(self, obj: DeliveryReceipt) -> SafeString | str:
        # SMPP receipts quote the start of the text ("text:Your code is 48"): for a secret message,
        # or one we cannot tell, that is not shown.
        if obj.message is None or obj.message.template.sensitive:
            return str(_("Not shown: it may quote a message that contains a secret."))
        return format_html("<pre>{}</pre>", json.dumps(obj.payload, ensure_ascii=False, indent=2))
