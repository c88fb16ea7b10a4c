"""Departments and their offices in the admin. Editors edit their own department's texts and offices."""

from typing import Any

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from bawaba.catalog import access
from bawaba.catalog.admin.base import DepartmentScopedAdmin, DepartmentScopedInline, language_fieldsets
from bawaba.catalog.models import Department, Office

OFFICE_FIELDSETS = [
    (None, {"fields": ["code", "department", "governorate", "phone", ("latitude", "longitude"), "is_demo"]}),
    *language_fieldsets("name", "address", "opening_hours"),
]


class OfficeInline(DepartmentScopedInline):
    model = Office
    show_change_link = True
    fieldsets = [
        (None, {"fields": ["code", "governorate", "phone", ("latitude", "longitude")]}),
        *language_fieldsets("name", "address", "opening_hours"),
    ]

    def parent_department_id(self, obj: Any) -> int:
        # Offices are shown inside their department's page: the parent is the department itself.
        return int(obj.pk)


@admin.register(Department)
class DepartmentAdmin(DepartmentScopedAdmin):
    inlines = (OfficeInline,)
    list_display = ("display_name", "kind", "display_parent", "governorate", "is_published", "service_count")
    list_filter = ("kind", "is_published", "governorate", "is_demo")
    search_fields = ("slug", "name_ar", "name_ckb", "name_en")
    list_select_related = ("parent", "governorate")
    fieldsets = [
        (None, {"fields": ["slug", "kind", "parent", "governorate", "is_published", "ordering", "is_demo"]}),
        *language_fieldsets("name", "description", "head_title", "head_name"),
        (_("Contact"), {"fields": ["website", "phone", "email"]}),
    ]

    def scope_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        departments = access.departments_editable_by(request.user, among=queryset)
        return departments.annotate(service_total=Count("services", distinct=True))

    def department_id_of(self, obj: Department) -> int | None:
        return obj.pk

    @admin.display(description=_("department"), ordering="name_ar")
    def display_name(self, obj: Department) -> str:
        return str(obj)

    @admin.display(description=_("part of"), ordering="parent__name_ar")
    def display_parent(self, obj: Department) -> str:
        return str(obj.parent) if obj.parent else ""

    @admin.display(description=_("services"), ordering="service_total")
    def service_count(self, obj: Any) -> int:
        return int(getattr(obj, "service_total", 0))

    def view_on_site(self, obj: Department) -> str:
        return reverse("catalog:department_detail", kwargs={"slug": obj.slug})

    def has_add_permission(self, request: HttpRequest) -> bool:
        return access.is_catalogue_operator(request.user)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return access.is_catalogue_operator(request.user)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if access.is_catalogue_operator(request.user):
            return ()
        return access.DEPARTMENT_OPERATOR_ONLY_FIELDS


@admin.register(Office)
class OfficeAdmin(DepartmentScopedAdmin):
    list_display = ("display_name", "code", "department", "governorate", "phone")
    list_filter = ("governorate", ("department", admin.RelatedOnlyFieldListFilter), "is_demo")
    search_fields = ("code", "name_ar", "name_ckb", "name_en", "address_ar", "address_ckb", "address_en")
    list_select_related = ("department", "governorate")
    fieldsets = OFFICE_FIELDSETS

    def scope_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return access.offices_editable_by(request.user, among=queryset)

    @admin.display(description=_("office"), ordering="name_ar")
    def display_name(self, obj: Office) -> str:
        return str(obj)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if access.is_catalogue_operator(request.user):
            return ()
        return access.OFFICE_OPERATOR_ONLY_FIELDS

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "department":
            kwargs["queryset"] = access.departments_editable_by(request.user).order_by("name_ar")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request: HttpRequest, obj: Office, form: Any, change: bool) -> None:
        if not access.department_is_editable_by(request.user, obj.department_id):
            raise PermissionDenied
        super().save_model(request, obj, form, change)
