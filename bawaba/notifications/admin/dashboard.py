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
from bawaba.notifications.models import ProviderState
from bawaba.notifications.services import set_paused
from bawaba.notifications.stats import WINDOWS, Figures, delivery_dashboard

URL_PREFIX = "notifications_providerstate"


def figure_rows(windows: dict[str, Figures]) -> list[tuple[str, list[str]]]:
    """One row per figure, one cell per window (last hour, last day): readable on a narrow screen."""
    rows: list[tuple[Any, Any]] = [
        (_("Tries"), lambda f: display.count(f.attempts)),
        (_("Accepted"), lambda f: display.share(f.accepted_share)),
        (_("Failed or no answer"), lambda f: display.share(f.failed_share)),
        (_("Messages sent"), lambda f: display.count(f.sent)),
        (_("Delivered, of those with a final receipt"), _delivered),
        (_("Provider's answer, median"), lambda f: display.latency(f.attempt_latency.percentile(0.5))),
        (_("Provider's answer, 90%"), lambda f: display.latency(f.attempt_latency.percentile(0.9))),
        (_("Provider's answer, 99%"), lambda f: display.latency(f.attempt_latency.percentile(0.99))),
        (_("From sending to acceptance, median"), lambda f: display.latency(f.accept_latency.percentile(0.5))),
        (_("From sending to acceptance, 99%"), lambda f: display.latency(f.accept_latency.percentile(0.99))),
        (_("From acceptance to delivery, median"), lambda f: display.latency(f.delivery_latency.percentile(0.5))),
        (_("From acceptance to delivery, 90%"), lambda f: display.latency(f.delivery_latency.percentile(0.9))),
    ]
    return [(str(label), [cell(windows[window]) for window in WINDOWS]) for label, cell in rows]


def _delivered(figures: Figures) -> str:
    if not figures.final_receipts:
        return display.NONE
    return gettext("%(share)s of %(count)s") % {
        "share": display.share(figures.delivered_share),
        "count": display.count(figures.final_receipts),
    }


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
        window_names = {"hour": _("Last hour"), "day": _("Last day")}
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": gettext("Delivery dashboard"),
            "dashboard": dashboard,
            "windows": [window_names[window] for window in WINDOWS],
            "providers": [
                {"state": provider, "health": display.share(provider.health), "rows": figure_rows(provider.windows)}
                for provider in dashboard.providers
            ],
            "operators": [
                {
                    "name": operator.name if operator.code else gettext("Other (e-mail, numbers abroad)"),
                    "rows": figure_rows(operator.windows),
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
