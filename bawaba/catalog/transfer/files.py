"""Catalogue files in either format: what the import command, the export command and the admin pages call."""

import datetime
from pathlib import Path

from django.contrib.auth.base_user import AbstractBaseUser

from bawaba.catalog.transfer.csv_format import catalogue_export_csv, catalogue_import_csv
from bawaba.catalog.transfer.json_export import catalogue_export_json
from bawaba.catalog.transfer.json_import import ImportReport, catalogue_import, document_from_json

FORMATS = ("json", "csv")
CONTENT_TYPES = {"json": "application/json; charset=utf-8", "csv": "text/csv; charset=utf-8"}


def format_from_filename(name: str) -> str | None:
    suffix = Path(name).suffix.lower().lstrip(".")
    return suffix if suffix in FORMATS else None


def catalogue_file_import(
    *,
    data: bytes,
    file_format: str,
    media_root: Path | None = None,
    dry_run: bool = False,
    user: AbstractBaseUser | None = None,
) -> ImportReport:
    """Import a catalogue file; raises CatalogueImportFailed listing every problem, having changed nothing."""
    if file_format == "csv":
        return catalogue_import_csv(data=data, media_root=media_root, dry_run=dry_run, user=user)
    if file_format == "json":
        document = document_from_json(data)
        return catalogue_import(document=document, media_root=media_root, dry_run=dry_run, user=user)
    raise ValueError(f"unknown catalogue format {file_format!r}")


def catalogue_file_export(*, file_format: str) -> bytes:
    """JSON holds the whole catalogue; CSV holds the services (see docs/catalogue-format.md)."""
    if file_format == "csv":
        return catalogue_export_csv()
    if file_format == "json":
        return catalogue_export_json()
    raise ValueError(f"unknown catalogue format {file_format!r}")


def export_filename(*, file_format: str, today: datetime.date) -> str:
    stem = "bawaba-services" if file_format == "csv" else "bawaba-catalogue"
    return f"{stem}-{today.isoformat()}.{file_format}"
