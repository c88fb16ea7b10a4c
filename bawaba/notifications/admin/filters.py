"""List filters whose choices come from configuration, not from a DISTINCT over millions of rows."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from bawaba.notifications.providers.config import provider_configs
from bawaba.notifications.recipients import OPERATOR_NAMES


class ProviderFilter(admin.SimpleListFilter):
    title = _("provider")
    parameter_name = "provider"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [(config.name, config.name) for config in provider_configs()]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        value = self.value()
        return queryset.filter(provider=value) if value else queryset


class OperatorFilter(admin.SimpleListFilter):
    title = _("mobile operator")
    parameter_name = "operator"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [
            (code or "none", name if code else str(_("None or not Iraqi"))) for code, name in OPERATOR_NAMES.items()
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        value = self.value()
        if not value:
            return queryset
        return queryset.filter(operator="" if value == "none" else value)
