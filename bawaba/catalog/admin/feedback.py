"""'Was this helpful?' answers, read-only, for operators and for the editors of the service's department."""

from typing import Any

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import URLPattern, path
from django.utils.text import Truncator
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from bawaba.catalog import access
from bawaba.catalog.constants import FeedbackReason
from bawaba.catalog.models import ServiceFeedback
from bawaba.core.i18n import localized


@admin.register(ServiceFeedback)
class ServiceFeedbackAdmin(admin.ModelAdmin):
    list_display = ("created_at", "display_service", "is_helpful", "reason", "language", "short_comment")
    list_filter = (
        "is_helpful",
        "reason",
        "language",
        ("service__department", admin.RelatedOnlyFieldListFilter),
        ("service", admin.RelatedOnlyFieldListFilter),
    )
    search_fields = ("comment", "service__name_ar", "service__name_en", "service__slug")
    list_select_related = ("service",)
    date_hierarchy = "created_at"
    change_list_template = "admin/catalog/servicefeedback/change_list.html"
    actions = None

    def get_queryset(self, request: HttpRequest) -> QuerySet[ServiceFeedback]:
        return access.feedback_visible_to(request.user, among=super().get_queryset(request))

    def has_module_permission(self, request: HttpRequest) -> bool:
        return access.can_manage_catalogue(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if not access.can_manage_catalogue(request.user):
            return False
        return obj is None or access.department_is_editable_by(request.user, obj.service.department_id)

    # Answers are what people said: nobody edits them, and nobody adds one on their behalf.
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description=_("service"), ordering="service__name_ar")
    def display_service(self, obj: ServiceFeedback) -> str:
        return localized(obj.service, "name")

    @admin.display(description=_("comment"))
    def short_comment(self, obj: ServiceFeedback) -> str:
        return Truncator(obj.comment).chars(80)

    def get_urls(self) -> list[URLPattern]:
        return [
            path("summary/", self.admin_site.admin_view(self.summary_view), name="catalog_servicefeedback_summary"),
            *super().get_urls(),
        ]

    def summary_view(self, request: HttpRequest) -> HttpResponse:
        """Per service: how many found the page helpful, how many did not, and the reasons they gave."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        reasons = list(FeedbackReason)
        tallies: dict[int, dict[str, int]] = {}
        answers = (
            self.get_queryset(request)
            .order_by()
            .values("service_id", "is_helpful", "reason")
            .annotate(total=Count("pk"))
        )
        for answer in answers:
            tally = tallies.setdefault(answer["service_id"], {"helpful": 0, "unhelpful": 0})
            tally["helpful" if answer["is_helpful"] else "unhelpful"] += answer["total"]
            tally[answer["reason"]] = tally.get(answer["reason"], 0) + answer["total"]
        services = access.services_editable_by(request.user).filter(pk__in=tallies).select_related("department")
        rows: list[dict[str, Any]] = sorted(
            (
                {
                    "service": service,
                    "name": localized(service, "name"),
                    "department": localized(service.department, "name"),
                    "helpful": tallies[service.pk]["helpful"],
                    "unhelpful": tallies[service.pk]["unhelpful"],
                    "reasons": [tallies[service.pk].get(reason.value, 0) for reason in reasons],
                }
                for service in services
            ),
            key=lambda row: (-row["unhelpful"], -row["helpful"], row["name"]),
        )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": gettext("Feedback per service"),
            "reasons": [reason.label for reason in reasons],
            "rows": rows,
        }
        return TemplateResponse(request, "admin/catalog/servicefeedback/summary.html", context)
