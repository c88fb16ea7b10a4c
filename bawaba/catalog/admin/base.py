"""What every catalogue admin class shares: access through bawaba.catalog.access, language-aware
text boxes, safe revision views, and guide parts kept in position order.
"""

from collections.abc import Iterator
from typing import Any, cast

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import F
from django.forms.models import BaseInlineFormSet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from reversion.admin import VersionAdmin
from reversion.errors import RevertError
from reversion.models import Revision, Version

from bawaba.catalog import access
from bawaba.core.i18n import CONTENT_LANGUAGES

RIGHT_TO_LEFT = {"ar", "ckb"}
LANGUAGE_NAMES = {"ar": _("Arabic"), "ckb": _("Kurdish (Sorani)"), "en": _("English")}
LANGUAGE_NOTES = {
    "ar": _("Required. Shown to Arabic readers, and to everyone when their language is missing."),
    "ckb": _("Shown to Kurdish readers; Arabic is shown where this is empty."),
    "en": _("Shown to English readers; Arabic is shown where this is empty."),
}
# Positions are parked above this while a formset renumbers them; forms accept positions below it.
POSITION_PARKING = 10_000


def language_fieldsets(*names: str) -> list[Any]:
    """One fieldset per language holding that language's column of each text: name_ar, summary_ar, ..."""
    return [
        (
            LANGUAGE_NAMES[language],
            {
                "fields": [f"{name}_{language}" for name in names],
                "description": LANGUAGE_NOTES[language],
            },
        )
        for language in CONTENT_LANGUAGES
    ]


class LanguageWidgetsMixin:
    """Text boxes for Arabic and Kurdish columns run right to left and say their language, whatever the admin's."""

    def formfield_for_dbfield(self, db_field: "models.Field[Any, Any]", request: HttpRequest, **kwargs: Any) -> Any:
        if isinstance(db_field, models.URLField):
            kwargs.setdefault("assume_scheme", "https")  # "moi.gov.iq" means the secure site
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)  # type: ignore[misc]
        language = db_field.name.rsplit("_", 1)[-1]
        if (
            formfield is not None
            and language in CONTENT_LANGUAGES
            and isinstance(db_field, models.CharField | models.TextField)
        ):
            formfield.widget.attrs.update(lang=language, dir="rtl" if language in RIGHT_TO_LEFT else "ltr")
            if isinstance(db_field, models.TextField):
                formfield.widget.attrs.setdefault("rows", 4)
        return formfield


class OperatorOnlyAdmin(LanguageWidgetsMixin, admin.ModelAdmin):
    """Vocabularies the whole portal shares (categories, life events, synonyms, governorates): operators only."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return access.is_catalogue_operator(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return access.is_catalogue_operator(request.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return access.is_catalogue_operator(request.user)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return access.is_catalogue_operator(request.user)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return access.is_catalogue_operator(request.user)


class DepartmentScopedAdmin(LanguageWidgetsMixin, VersionAdmin):
    """Records that belong to a department, with revision history; editors reach only their departments'.

    Subclasses give `scope_queryset` (which records the user may manage, from bawaba.catalog.access)
    and `department_id_of` (which department a record belongs to). The list, every object view, and
    the revision and recovery views of django-reversion all go through them.
    """

    history_latest_first = True

    def scope_queryset(self, request: HttpRequest, queryset: models.QuerySet[Any]) -> models.QuerySet[Any]:
        """The records this user may manage. Closed by default: a subclass that forgets shows nothing."""
        return queryset.none()

    def department_id_of(self, obj: Any) -> int | None:
        """The department a record belongs to; most catalogue records name it directly."""
        return getattr(obj, "department_id", None)

    def get_queryset(self, request: HttpRequest) -> models.QuerySet[Any]:
        return self.scope_queryset(request, super().get_queryset(request))

    def in_scope(self, request: HttpRequest, obj: Any) -> bool:
        return access.department_is_editable_by(request.user, self.department_id_of(obj))

    def _may(self, request: HttpRequest, obj: Any) -> bool:
        if not access.can_manage_catalogue(request.user):
            return False
        return obj is None or self.in_scope(request, obj)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return access.can_manage_catalogue(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._may(request, obj)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return access.can_manage_catalogue(request.user)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._may(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._may(request, obj)

    # django-reversion's views look versions up by id alone and commit a revert whenever the form
    # view redirects, which it also does for an object the user may not see. Each view below
    # first finds the object through the scoped queryset, then checks every record the revert
    # would write (bawaba.catalog.access.revision_restorable_by).

    def revision_view(
        self, request: HttpRequest, object_id: str, version_id: str, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        obj = self.get_object(request, unquote(object_id))
        if obj is None or not self.has_change_permission(request, obj):
            raise Http404
        version = get_object_or_404(Version.objects.get_for_object(obj), pk=version_id)
        if not self.revision_restorable(request, version.revision):
            messages.error(
                request,
                _(
                    "This version cannot be restored by you: part of it belongs to a department you do not"
                    " manage now, or it changes what only operators may. Ask an operator."
                ),
            )
            return HttpResponseRedirect(self._history_url(obj))
        return super().revision_view(request, object_id, version_id, extra_context)

    def recover_view(
        self, request: HttpRequest, version_id: str, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        if not self.has_add_permission(request):
            raise PermissionDenied
        version = get_object_or_404(Version.objects.get_deleted(self.model), pk=version_id)
        if not self.revision_restorable(request, version.revision):
            raise Http404
        return super().recover_view(request, version_id, extra_context)

    def recoverlist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        deleted = self._reversion_order_version_queryset(
            request, Version.objects.get_deleted(self.model).select_related("revision")
        )
        visible = [version for version in deleted if self.revision_restorable(request, version.revision)]
        return super().recoverlist_view(request, {**(extra_context or {}), "deleted": visible})

    def revision_restorable(self, request: HttpRequest, revision: Revision) -> bool:
        if access.is_catalogue_operator(request.user):
            return True
        try:
            versions = list(_saved_records(revision))
        except (RevertError, LookupError, AttributeError):
            return False  # a version the current models cannot read cannot be checked, so not restored
        return access.revision_restorable_by(user=request.user, versions=versions)

    def _history_url(self, obj: Any) -> str:
        opts = self.model._meta
        return reverse(f"admin:{opts.app_label}_{opts.model_name}_history", args=[obj.pk])


def _saved_records(revision: Revision) -> Iterator[tuple[type[Any], str, dict[str, Any]]]:
    for version in revision.version_set.select_related("content_type"):
        model = version.content_type.model_class()
        if model is None:
            raise LookupError(version.content_type)
        yield model, version.object_id, version.field_dict


class GuidePartFormSet(BaseInlineFormSet):
    """Saves a service's steps (or documents, fees, media) renumbered 1, 2, 3 in the order the editor gave.

    Positions carry the meaning of a guide, and steps may not share one (a database constraint), so
    swapping two steps in one save would collide half-way; all rows are first parked out of the way.
    """

    def save(self, commit: bool = True) -> list[Any]:
        saved = super().save(commit=False)
        if not commit:
            return saved
        for obj in self.deleted_objects:
            obj.delete()
        parent = self.instance
        rows_of_parent = cast(type[models.Model], self.model)._default_manager.filter(service=parent)
        # A row whose step was deleted above went with it (cascade): do not bring it back.
        still_there = set(rows_of_parent.values_list("pk", flat=True))
        rows: list[tuple[int, int, Any]] = []
        for index, form in enumerate(self.forms):
            instance = form.instance
            if self.can_delete and form in self.deleted_forms:
                continue
            if instance.pk is None and not form.has_changed():
                continue
            if instance.pk is not None and instance.pk not in still_there:
                continue
            rows.append((instance.position if instance.position is not None else POSITION_PARKING, index, instance))
        rows.sort(key=lambda row: (row[0], row[1]))
        rows_of_parent.update(position=F("position") + POSITION_PARKING)
        kept = []
        for number, (_position, _index, instance) in enumerate(rows, start=1):
            self.prepare(instance)
            instance.service = parent
            instance.position = number
            instance.save()
            kept.append(instance)
        self.save_m2m()
        return kept

    def prepare(self, instance: Any) -> None:
        """Last adjustments to a row before it is written; subclasses override."""


class GuidePartForm(forms.ModelForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        position = self.fields.get("position")
        if position is not None:
            position.validators.append(MaxValueValidator(POSITION_PARKING - 1))
            position.widget.attrs["max"] = POSITION_PARKING - 1

    def validate_unique(self) -> None:
        # Positions are checked across the whole formset (no two rows alike) and renumbered on
        # save; checking one row against the database would refuse swapping two steps.
        return


class DepartmentScopedInline(LanguageWidgetsMixin, admin.StackedInline):
    """Rows shown inside a parent's page, editable by whoever may edit the parent's department."""

    extra = 0

    def parent_department_id(self, obj: Any) -> int:
        """The department that owns the parent object the inline is shown in."""
        return int(obj.department_id)

    def _may(self, request: HttpRequest, obj: Any) -> bool:
        if not access.can_manage_catalogue(request.user):
            return False
        return obj is None or access.department_is_editable_by(request.user, self.parent_department_id(obj))

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._may(request, obj)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._may(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._may(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._may(request, obj)


class GuidePartInline(DepartmentScopedInline):
    """A part of a service's guide, editable by whoever may edit the service."""

    ordering = ("position",)
    form = GuidePartForm
    formset = GuidePartFormSet
