"""Import a catalogue file (JSON or CSV), all or nothing; every problem is printed with where it is."""

import sys
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation

from bawaba.catalog.transfer.errors import CatalogueImportFailed
from bawaba.catalog.transfer.files import FORMATS, catalogue_file_import, format_from_filename
from bawaba.catalog.transfer.format import MAX_DOCUMENT_BYTES


class Command(BaseCommand):
    help = (
        "Import the catalogue from FILE (JSON: the whole catalogue; CSV: services). Records are matched by "
        "slug or code and updated; nothing is deleted. If anything is wrong, nothing is changed. "
        "Format: docs/catalogue-format.md."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="The file to import, or - to read standard input.")
        parser.add_argument("--format", choices=FORMATS, help="json or csv (default: from the file name).")
        parser.add_argument(
            "--dry-run", action="store_true", help="Check the file and report what would change; change nothing."
        )
        parser.add_argument(
            "--media-root",
            type=Path,
            default=None,
            help="Folder that media file paths in the file are relative to (default: MEDIA_ROOT).",
        )
        parser.add_argument(
            "--language",
            choices=[code for code, _name in settings.LANGUAGES],
            default="en",
            help="Language of the problems printed (default: en).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        # Said explicitly: otherwise problems come in whatever language is active in this process
        # (LANGUAGE_CODE, or the last request's when called from code).
        with translation.override(options["language"]):
            self._import(options)

    def _import(self, options: dict[str, Any]) -> None:
        name: str = options["file"]
        file_format = options["format"] or format_from_filename(name)
        if file_format is None:
            raise CommandError("Cannot tell the format from the file name; add --format json or --format csv.")
        data = self._read(name)
        media_root: Path = options["media_root"] or Path(settings.MEDIA_ROOT)
        try:
            report = catalogue_file_import(
                data=data, file_format=file_format, media_root=media_root, dry_run=options["dry_run"]
            )
        except CatalogueImportFailed as failure:
            for problem in failure.problems:
                self.stderr.write(str(problem))
            raise CommandError(f"{len(failure.problems)} problem(s) found; the catalogue was not changed.") from failure
        if options["dry_run"]:
            self.stdout.write(f"Checked, nothing changed. An import would give: {report.summary() or 'no records'}")
        else:
            self.stdout.write(self.style.SUCCESS(f"Catalogue imported: {report.summary() or 'no records'}"))

    @staticmethod
    def _read(name: str) -> bytes:
        if name == "-":
            data = sys.stdin.buffer.read(MAX_DOCUMENT_BYTES + 1)
        else:
            path = Path(name)
            if not path.is_file():
                raise CommandError(f"{name}: no such file")
            if path.stat().st_size > MAX_DOCUMENT_BYTES:
                raise CommandError(f"{name} is larger than {MAX_DOCUMENT_BYTES // 1024 // 1024} MB")
            data = path.read_bytes()
        if len(data) > MAX_DOCUMENT_BYTES:
            raise CommandError(f"The file is larger than {MAX_DOCUMENT_BYTES // 1024 // 1024} MB")
        return data
