"""Services and their guides in the admin: steps, documents, fees and media inline, with revisions."""

from typing import Any, cast

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext_lazy as _

from bawaba.catalog import access
from bawaba.catalog.admin import transfer
from bawaba.catalog.admin.base import (
    DepartmentScopedAdmin,
    GuidePartForm,
    GuidePartFormSet,
    GuidePartInline,
    language_fieldsets,
)
from bawaba.catalog.constants import Channel, MediaKind
from bawaba.catalog.media import (
    CAPTIONS_FIELDS,
    IMAGE_FIELDS,
    VIDEO_FIELD,
    media_file_check,
    media_file_name,
    service_media_process,
)
from bawaba.catalog.models import (
    RequiredDocument,
    Service,
    ServiceFee,
    ServiceMedia,
    ServiceStep,
)
from bawaba.catalog.search import search_index_update
from bawaba.catalog.transfer.format import SERVICE_TEXTS
from bawaba.core.errors import ValidationFailed
from bawaba.core.i18n import CONTENT_LANGUAGES, localized


class ServiceAdminForm(forms.ModelForm):
    channels = forms.MultipleChoiceField(
        label=_("channels"),
        choices=Channel.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Where the service can be used."),
    )

    class Meta:
        model = Service
        fields = (
            "slug",
            "department",
            "classification",
            "is_published",
            *(f"{name}_{language}" for name in SERVICE_TEXTS for language in CONTENT_LANGUAGES),
            "channels",
            "online_url",
            "is_account_required",
            "duration_min_days",
            "duration_max_days",
            "categories",
            "life_events",
            "offices",
            "related_services",
            "last_reviewed_on",
            "popularity",
            "is_demo",
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        low, high = cleaned.get("duration_min_days"), cleaned.get("duration_max_days")
        if low is not None and high is not None and low > high:
            self.add_error("duration_min_days", _("The shortest duration is longer than the longest."))
        return cleaned


class StepInline(GuidePartInline):
    model = ServiceStep
    fieldsets = [
        (None, {"fields": ["position", "location", "url"]}),
        *language_fieldsets("title", "body"),
    ]


class DocumentInline(GuidePartInline):
    model = RequiredDocument
    fieldsets = [(None, {"fields": ["position"]}), *language_fieldsets("name", "note")]


class FeeInline(GuidePartInline):
    model = ServiceFee
    fieldsets = [(None, {"fields": ["position", "amount_iqd"]}), *language_fieldsets("label")]


class MediaForm(GuidePartForm):
    """Refuses what media processing would refuse, so the editor sees it next to the field.

    Each uploaded file is checked by its bytes and renamed by the server (bawaba.catalog.media):
    the name an editor's computer gave it never reaches the storage.
    """

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        kind = cleaned.get("kind")
        if kind == MediaKind.IMAGE and not cleaned.get("image"):
            self.add_error("image", _("An image needs an image file."))
        if kind == MediaKind.VIDEO and not (cleaned.get("video_file") or cleaned.get("video_url")):
            self.add_error("video_url", _("A video needs a video file or a video address."))
        for name in (*IMAGE_FIELDS, VIDEO_FIELD, *CAPTIONS_FIELDS):
            upload = self.files.get(self.add_prefix(name))
            if upload is None or name in self.errors:
                continue
            try:
                extension = media_file_check(field_name=name, content=upload)
            except ValidationFailed as failure:
                for message in failure.fields[name]:
                    self.add_error(name, message)
            else:
                upload.name = media_file_name(field_name=name, extension=extension)
        return cleaned


class MediaFormSet(GuidePartFormSet):
    def prepare(self, instance: ServiceMedia) -> None:
        if instance.step_id and not ServiceStep.objects.filter(pk=instance.step_id).exists():
            instance.step = None  # its step was deleted in this same save: show it with the whole guide

    def save(self, commit: bool = True) -> list[Any]:
        saved = super().save(commit)
        if commit:
            for media in saved:
                # WebP copies for phones, EXIF removed; files already processed are left alone.
                service_media_process(media=media)
        return saved


class MediaInline(GuidePartInline):
    model = ServiceMedia
    form = MediaForm
    formset = MediaFormSet
    readonly_fields = ("size_bytes",)
    fieldsets = [
        (None, {"fields": ["position", "kind", "step"]}),
        (_("Files"), {"fields": ["image", "video_file", "video_url", "poster", "duration_seconds", "size_bytes"]}),
        *language_fieldsets("alt", "caption", "captions"),
    ]

    def get_formset(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> Any:
        formset = super().get_formset(request, obj, **kwargs)
        # Only this service's saved steps: never another service's (nor a step added in the same save).
        steps = obj.steps.order_by("position") if obj is not None else ServiceStep.objects.none()
        step_field = cast(forms.ModelChoiceField, formset.form.base_fields["step"])
        step_field.queryset = steps
        step_field.help_text = _("Leave empty to show it with the whole guide. Save new steps first.")
        return formset


@admin.register(Service)
class ServiceAdmin(DepartmentScopedAdmin):
    form = ServiceAdminForm
    inlines = (StepInline, DocumentInline, FeeInline, MediaInline)
    list_display = ("display_name", "display_department", "is_published", "classification", "last_reviewed_on")
    list_display_links = ("display_name",)
    list_filter = (
        "is_published",
        "classification",
        ("department", admin.RelatedOnlyFieldListFilter),
        ("categories", admin.RelatedOnlyFieldListFilter),
        ("life_events", admin.RelatedOnlyFieldListFilter),
        "is_account_required",
        "is_demo",
    )
    search_fields = ("slug", "name_ar", "name_ckb", "name_en", "summary_ar", "summary_ckb", "summary_en")
    list_select_related = ("department",)
    filter_horizontal = ("categories", "life_events", "offices", "related_services")
    change_list_template = "admin/catalog/service/change_list.html"
    fieldsets = [
        (None, {"fields": ["slug", "department", "classification", "is_published"]}),
        *language_fieldsets("name", "summary", "eligibility", "legal_basis", "fee_note"),
        (
            _("How people use it"),
            {
                "fields": [
                    "channels",
                    "online_url",
                    "is_account_required",
                    ("duration_min_days", "duration_max_days"),
                ]
            },
        ),
        (_("Where it is listed"), {"fields": ["categories", "life_events", "offices", "related_services"]}),
        (_("Review"), {"fields": ["last_reviewed_on", "popularity", "is_demo"]}),
    ]

    def scope_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return access.services_editable_by(request.user, among=queryset)

    @admin.display(description=_("service"), ordering="name_ar")
    def display_name(self, obj: Service) -> str:
        return localized(obj, "name")

    @admin.display(description=_("department"), ordering="department__name_ar")
    def display_department(self, obj: Service) -> str:
        return localized(obj.department, "name")

    def view_on_site(self, obj: Service) -> str:
        return reverse("catalog:service_detail", kwargs={"slug": obj.slug})

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if access.is_catalogue_operator(request.user):
            return ()
        # The address of a published guide is in people's bookmarks and other sites' links.
        return (*access.SERVICE_OPERATOR_ONLY_FIELDS, *(("slug",) if obj is not None else ()))

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "department":
            kwargs["queryset"] = access.departments_editable_by(request.user).order_by("name_ar")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "offices":
            kwargs["queryset"] = access.offices_editable_by(request.user).select_related("governorate")
        elif db_field.name == "related_services":
            kwargs["queryset"] = access.services_linkable_by(request.user).order_by("name_ar")
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        initial = super().get_changeform_initial_data(request)
        departments = list(access.departments_editable_by(request.user).values_list("pk", flat=True)[:2])
        if len(departments) == 1:
            initial.setdefault("department", departments[0])
        return initial

    def save_model(self, request: HttpRequest, obj: Service, form: Any, change: bool) -> None:
        # The form offers only the editor's departments; this refuses a forged one all the same.
        if not access.department_is_editable_by(request.user, obj.department_id):
            raise PermissionDenied
        super().save_model(request, obj, form, change)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        service: Service = form.instance
        # The form lists only what the editor may pick; links an operator made to other
        # departments' offices or unpublished services stay, rather than vanish on save.
        kept_offices = list(service.offices.exclude(pk__in=access.offices_editable_by(request.user).values("pk")))
        kept_related = list(
            service.related_services.exclude(pk__in=access.services_linkable_by(request.user).values("pk"))
        )
        super().save_related(request, form, formsets, change)
        service.offices.add(*kept_offices)
        service.related_services.add(*kept_related)
        search_index_update(service_ids=[service.pk])

    def delete_model(self, request: HttpRequest, obj: Service) -> None:
        service_id = obj.pk
        super().delete_model(request, obj)
        search_index_update(service_ids=[service_id])

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        service_ids = list(queryset.values_list("pk", flat=True))
        super().delete_queryset(request, queryset)
        search_index_update(service_ids=service_ids)

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        can_transfer = access.is_catalogue_operator(request.user)
        return super().changelist_view(request, {**(extra_context or {}), "can_transfer": can_transfer})

    def get_urls(self) -> list[URLPattern]:
        view = self.admin_site.admin_view
        return [
            path("transfer/", view(self.transfer_view), name="catalog_service_transfer"),
            path("transfer/export/<str:file_format>/", view(self.export_view), name="catalog_service_export"),
            *super().get_urls(),
        ]

    def transfer_view(self, request: HttpRequest) -> HttpResponse:
        return transfer.transfer_page(self, request)

    def export_view(self, request: HttpRequest, file_format: str) -> HttpResponse:
        return transfer.export_download(request, file_format)
