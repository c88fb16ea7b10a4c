"""The delivery dashboard: the provider states' page in the admin, with pause and resume buttons.

Seeing it needs notifications.view_providerstate; pausing needs notifications.change_providerstate,
goes through services.set_paused, and is logged like any admin change. Provider states are never
edited by hand otherwise: health is the health check's business (health.py).
"""

from __future__ import annotations

import json
from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from bawaba.core.errors import ValidationFailed
from bawaba.notifications.admin import display
from bawaba.notifications.constants import Channel
from bawaba.notifications.models import ProviderState
from bawaba.notifications.providers.config import providers_for
from bawaba.notifications.services import set_paused
from bawaba.notifications.stats import WINDOWS, Figures, delivery_dashboard

URL_PREFIX = "notifications_providerstate"


Cells = list[str]


def figure_groups(windows: dict[str, Figures]) -> list[tuple[str, list[tuple[str, Cells]]]]:
    """Figures in groups of rows, one cell per window (last hour, last day): narrow enough for a phone."""

    def row(label: Any, cell: Any) -> tuple[str, Cells]:
        return str(label), [cell(windows[window]) for window in WINDOWS]

    def latencies(histogram: str, *fractions: float) -> list[tuple[str, Cells]]:
        names = {0.5: _("median"), 0.9: _("90%"), 0.99: _("99%")}
        return [
            row(
                names[fraction],
                lambda f, fraction=fraction: display.latency(getattr(f, histogram).percentile(fraction)),
            )
            for fraction in fractions
        ]

    return [
        (
            "",
            [
                row(_("Tries"), lambda f: display.count(f.attempts)),
                row(_("Accepted"), lambda f: display.share(f.accepted_share)),
                row(_("Failed or no answer"), lambda f: display.share(f.failed_share)),
                row(_("Messages sent"), lambda f: display.count(f.sent)),
                row(_("With a final receipt"), lambda f: display.count(f.final_receipts)),
                row(_("Of those, delivered"), lambda f: display.share(f.delivered_share)),
            ],
        ),
        (str(_("Provider's answer time")), latencies("attempt_latency", 0.5, 0.9, 0.99)),
        (str(_("From sending to acceptance")), latencies("accept_latency", 0.5, 0.99)),
        (str(_("From acceptance to delivery")), latencies("delivery_latency", 0.5, 0.9)),
    ]


def channel_coverage() -> list[dict[str, Any]]:
    """Each channel with the providers that carry it: a channel nobody carries cannot be sent at all."""
    return [
        {"value": value, "label": str(label), "providers": [config.name for config in providers_for(value)]}
        for value, label in Channel.choices
    ]


@admin.register(ProviderState)
class ProviderStateAdmin(admin.ModelAdmin):
    def get_urls(self) -> list[URLPattern]:
        view = self.admin_site.admin_view
        return [
            path("", view(self.dashboard_view), name=f"{URL_PREFIX}_changelist"),
            path("<str:provider>/pause/", view(self.pause_view), {"paused": True}, name=f"{URL_PREFIX}_pause"),
            path("<str:provider>/resume/", view(self.pause_view), {"paused": False}, name=f"{URL_PREFIX}_resume"),
        ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def dashboard_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        dashboard = delivery_dashboard()
        channel_names = {value: str(label) for value, label in Channel.choices}
        window_names = {"hour": _("Last hour"), "day": _("Last day")}
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": gettext("Delivery dashboard"),
            "dashboard": dashboard,
            "windows": [window_names[window] for window in WINDOWS],
            "providers": [
                {
                    "state": provider,
                    "channels": [channel_names.get(channel, channel) for channel in provider.channels],
                    "health": display.share(provider.health),
                    "groups": figure_groups(provider.windows),
                }
                for provider in dashboard.providers
            ],
            "channels": channel_coverage(),
            "operators": [
                {
                    "name": operator.name if operator.code else gettext("Other (e-mail, numbers abroad)"),
                    "groups": figure_groups(operator.windows),
                }
                for operator in dashboard.operators
            ],
            "can_pause": self.has_change_permission(request),
        }
        return TemplateResponse(request, "admin/notifications/providerstate/dashboard.html", context)

    def pause_view(self, request: HttpRequest, provider: str, paused: bool) -> HttpResponse:
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not self.has_change_permission(request):
            raise PermissionDenied
        try:
            state = set_paused(provider, paused, by=request.user)
        except ValidationFailed as exc:
            raise Http404(provider) from exc
        with translation.override(None):  # stored once, shown translated by LogEntry
            field_name = str(ProviderState._meta.get_field("paused").verbose_name)
        self.log_change(request, state, json.dumps([{"changed": {"fields": [field_name]}}]))
        if paused:
            done = gettext("%(name)s is paused: new messages go to the other providers.")
        else:
            done = gettext("%(name)s is back in use.")
        messages.success(request, done % {"name": provider})
        return HttpResponseRedirect(reverse(f"admin:{URL_PREFIX}_changelist"))
