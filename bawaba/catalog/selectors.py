"""Reads of the catalogue. Views and the API call these; nothing else queries catalogue models directly."""

from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q, QuerySet

from bawaba.catalog.models import (
    Category,
    Department,
    LifeEvent,
    Office,
    Service,
    ServiceMedia,
    ServiceStep,
)
from bawaba.core.errors import NotFound


def department_list(*, kind: str | None = None) -> QuerySet[Department]:
    departments = (
        Department.objects.filter(is_published=True)
        .select_related("parent")
        .annotate(service_count=Count("services", filter=Q(services__is_published=True)))
    )
    if kind:
        departments = departments.filter(kind=kind)
    return departments.order_by("kind", "ordering", "name_ar")


def department_get(*, slug: str) -> Department:
    try:
        return Department.objects.select_related("parent", "governorate").get(slug=slug, is_published=True)
    except Department.DoesNotExist:
        raise NotFound(code="department_not_found") from None


def department_offices(*, department: Department) -> QuerySet[Office]:
    return department.offices.select_related("governorate").order_by("governorate__name_en", "name_ar")


def service_list_for_department(*, department: Department) -> QuerySet[Service]:
    return Service.objects.filter(department=department, is_published=True).order_by("-popularity", "name_ar")


def service_get(*, slug: str) -> Service:
    """One published service with everything its guide page shows, in a fixed number of queries."""
    queryset = Service.objects.select_related("department").prefetch_related(
        Prefetch("steps", queryset=ServiceStep.objects.prefetch_related("media").order_by("position")),
        "documents",
        "fees",
        Prefetch("media", queryset=ServiceMedia.objects.filter(step__isnull=True).order_by("position")),
        "categories",
        "life_events",
        Prefetch("related_services", queryset=Service.objects.filter(is_published=True).select_related("department")),
        Prefetch("offices", queryset=Office.objects.select_related("governorate")),
    )
    try:
        return queryset.get(slug=slug, is_published=True)
    except Service.DoesNotExist:
        raise NotFound(code="service_not_found") from None


def service_list(*, department: str | None = None, category: str | None = None) -> QuerySet[Service]:
    """Published services, most used first, optionally limited to a department or a category (by slug)."""
    services = Service.objects.filter(is_published=True).select_related("department")
    if department:
        services = services.filter(department__slug=department)
    if category:
        services = services.filter(categories__slug=category)
    return services.order_by("-popularity", "name_ar", "pk")


def department_exists(*, slug: str) -> bool:
    return Department.objects.filter(slug=slug, is_published=True).exists()


def category_exists(*, slug: str) -> bool:
    return Category.objects.filter(slug=slug).exists()


def service_popular(*, limit: int = 8) -> QuerySet[Service]:
    return (
        Service.objects.filter(is_published=True)
        .select_related("department")
        .order_by("-popularity", "name_ar")[:limit]
    )


def category_list() -> QuerySet[Category]:
    return Category.objects.annotate(service_count=Count("services", filter=Q(services__is_published=True)))


def category_get(*, slug: str) -> Category:
    try:
        return Category.objects.get(slug=slug)
    except Category.DoesNotExist:
        raise NotFound(code="category_not_found") from None


def life_event_list() -> QuerySet[LifeEvent]:
    return LifeEvent.objects.all()


def life_event_get(*, slug: str) -> LifeEvent:
    try:
        return LifeEvent.objects.get(slug=slug)
    except LifeEvent.DoesNotExist:
        raise NotFound(code="life_event_not_found") from None


@dataclass(frozen=True)
class SearchPage:
    count: int
    results: list[Service]
    page: int
    page_size: int
    # Departments whose names match the query; search fills it on the first page only.
    departments: list[Department] = field(default_factory=list)

    @property
    def has_next(self) -> bool:
        return self.page * self.page_size < self.count
