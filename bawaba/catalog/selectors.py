"""Reads of the catalogue. Views and the API call these; nothing else queries catalogue models directly."""

import re
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

# Slugs in URLs are checked before they reach the database: PostgreSQL refuses NUL bytes in text.
SLUG_PATTERN = re.compile(r"[-a-zA-Z0-9_]{1,100}")

# What the public may see: a published service of a published department. Every public read uses these.
PUBLIC_SERVICE = Q(is_published=True, department__is_published=True)
PUBLIC_SERVICE_FROM_PARENT = Q(services__is_published=True, services__department__is_published=True)


def is_slug(value: str) -> bool:
    return bool(SLUG_PATTERN.fullmatch(value))


def service_public() -> QuerySet[Service]:
    """The services anyone may see, with their department loaded."""
    return Service.objects.filter(PUBLIC_SERVICE).select_related("department")


def department_list(*, kind: str | None = None) -> QuerySet[Department]:
    departments = (
        Department.objects.filter(is_published=True)
        .select_related("parent")
        .annotate(service_count=Count("services", filter=PUBLIC_SERVICE_FROM_PARENT))
    )
    if kind:
        departments = departments.filter(kind=kind)
    return departments.order_by("kind", "ordering", "name_ar")


def department_get(*, slug: str) -> Department:
    if not is_slug(slug):
        raise NotFound(code="department_not_found")
    try:
        return Department.objects.select_related("parent", "governorate").get(slug=slug, is_published=True)
    except Department.DoesNotExist:
        raise NotFound(code="department_not_found") from None


def department_offices(*, department: Department) -> QuerySet[Office]:
    return department.offices.select_related("governorate").order_by("governorate__name_en", "name_ar")


def service_list_for_department(*, department: Department) -> QuerySet[Service]:
    return service_public().filter(department=department).order_by("-popularity", "name_ar")


def service_get(*, slug: str) -> Service:
    """One public service with everything its guide page shows, in a fixed number of queries."""
    if not is_slug(slug):
        raise NotFound(code="service_not_found")
    queryset = service_public().prefetch_related(
        Prefetch("steps", queryset=ServiceStep.objects.prefetch_related("media").order_by("position")),
        "documents",
        "fees",
        Prefetch("media", queryset=ServiceMedia.objects.filter(step__isnull=True).order_by("position")),
        "categories",
        "life_events",
        Prefetch("related_services", queryset=service_public()),
        Prefetch("offices", queryset=Office.objects.select_related("governorate")),
    )
    try:
        return queryset.get(slug=slug)
    except Service.DoesNotExist:
        raise NotFound(code="service_not_found") from None


def service_list(*, department: str | None = None, category: str | None = None) -> QuerySet[Service]:
    """Public services, most used first, optionally limited to a department or a category (by slug)."""
    services = service_public()
    if department:
        services = services.filter(department__slug=department)
    if category:
        services = services.filter(categories__slug=category)
    return services.order_by("-popularity", "name_ar", "pk")


def department_exists(*, slug: str) -> bool:
    return is_slug(slug) and Department.objects.filter(slug=slug, is_published=True).exists()


def category_exists(*, slug: str) -> bool:
    return is_slug(slug) and Category.objects.filter(slug=slug).exists()


def service_popular(*, limit: int = 8) -> QuerySet[Service]:
    return service_public().order_by("-popularity", "name_ar")[:limit]


def category_list() -> QuerySet[Category]:
    return Category.objects.annotate(service_count=Count("services", filter=PUBLIC_SERVICE_FROM_PARENT))


def category_get(*, slug: str) -> Category:
    if not is_slug(slug):
        raise NotFound(code="category_not_found")
    try:
        return Category.objects.get(slug=slug)
    except Category.DoesNotExist:
        raise NotFound(code="category_not_found") from None


def life_event_list() -> QuerySet[LifeEvent]:
    return LifeEvent.objects.all()


def life_event_get(*, slug: str) -> LifeEvent:
    if not is_slug(slug):
        raise NotFound(code="life_event_not_found")
    try:
        return LifeEvent.objects.get(slug=slug)
    except LifeEvent.DoesNotExist:
        raise NotFound(code="life_event_not_found") from None


def service_list_for_category(*, category: Category) -> QuerySet[Service]:
    return service_public().filter(categories=category).order_by("-popularity", "name_ar")


def service_list_for_life_event(*, life_event: LifeEvent) -> QuerySet[Service]:
    return service_public().filter(life_events=life_event).order_by("-popularity", "name_ar")


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
