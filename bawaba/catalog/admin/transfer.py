"""The admin page where operators import a catalogue file and download exports. Operators only."""

from pathlib import Path
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.core.files.storage import FileSystemStorage, default_storage
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from bawaba.catalog import access
from bawaba.catalog.transfer.errors import CatalogueImportFailed
from bawaba.catalog.transfer.files import (
    CONTENT_TYPES,
    FORMATS,
    catalogue_file_export,
    catalogue_file_import,
    export_filename,
    format_from_filename,
)
from bawaba.catalog.transfer.format import MAX_DOCUMENT_BYTES


class CatalogueImportForm(forms.Form):
    file = forms.FileField(
        label=_("Catalogue file"),
        help_text=_("A JSON file (the whole catalogue) or a CSV file (services), as described in the format guide."),
    )
    file_format = forms.ChoiceField(
        label=_("Format"),
        choices=[("", _("From the file name")), ("json", "JSON"), ("csv", "CSV")],
        required=False,
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        upload = cleaned.get("file")
        if upload is None:
            return cleaned
        if upload.size > MAX_DOCUMENT_BYTES:
            self.add_error(
                "file", _("The file is larger than %(size)d MB.") % {"size": MAX_DOCUMENT_BYTES // 1024 // 1024}
            )
        file_format = cleaned.get("file_format") or format_from_filename(upload.name or "")
        if file_format not in FORMATS:
            self.add_error("file_format", _("Choose the format: the file name does not end in .json or .csv."))
        cleaned["file_format"] = file_format
        return cleaned


def _require_operator(request: HttpRequest) -> None:
    if not access.is_catalogue_operator(request.user):
        raise PermissionDenied


def _media_root() -> Path | None:
    """Media paths in an uploaded file may only name files already in the portal's own media storage."""
    if isinstance(default_storage, FileSystemStorage):
        return Path(settings.MEDIA_ROOT)
    return None


def transfer_page(model_admin: "admin.ModelAdmin[Any]", request: HttpRequest) -> HttpResponse:
    """Upload a file to check it or import it; every problem is listed with where it is."""
    _require_operator(request)
    form = CatalogueImportForm(request.POST or None, request.FILES or None)
    problems = None
    report = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        # Two submit buttons: only "Import" writes; anything else (Enter, "Check the file") checks.
        dry_run = "import" not in request.POST
        try:
            report = catalogue_file_import(
                data=upload.read(),
                file_format=form.cleaned_data["file_format"],
                media_root=_media_root(),
                dry_run=dry_run,
                user=request.user if request.user.is_authenticated else None,
            )
        except CatalogueImportFailed as failure:
            problems = failure.problems
        else:
            if not dry_run:
                messages.success(
                    request, gettext("Catalogue imported: %(summary)s") % {"summary": report.summary() or "—"}
                )
                return redirect("admin:catalog_service_transfer")
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "title": gettext("Import and export the catalogue"),
        "form": form,
        "problems": problems,
        "report": report,
        "formats": FORMATS,
    }
    status = 400 if problems else 200
    return TemplateResponse(request, "admin/catalog/transfer.html", context, status=status)


def export_download(request: HttpRequest, file_format: str) -> HttpResponse:
    _require_operator(request)
    if file_format not in FORMATS:
        raise Http404
    filename = export_filename(file_format=file_format, today=timezone.localdate())
    response = HttpResponse(catalogue_file_export(file_format=file_format), content_type=CONTENT_TYPES[file_format])
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
