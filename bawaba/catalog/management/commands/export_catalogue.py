"""Export the catalogue: JSON (everything) or CSV (services), to a file or standard output."""

import os
import tempfile
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from bawaba.catalog.transfer.files import FORMATS, catalogue_file_export


class Command(BaseCommand):
    help = "Export the catalogue as JSON (the whole catalogue) or CSV (services, for spreadsheets)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--format", choices=FORMATS, required=True)
        parser.add_argument("--output", type=Path, help="File to write (default: standard output).")

    def handle(self, *args: Any, **options: Any) -> None:
        data = catalogue_file_export(file_format=options["format"])
        output: Path | None = options["output"]
        if output is None:
            self.stdout.write(data.decode("utf-8"), ending="")
            return
        if not output.parent.is_dir():
            raise CommandError(f"{output.parent}: no such folder")
        # Write beside the target and rename, so a reader never sees half a file.
        handle, temporary = tempfile.mkstemp(dir=output.parent, prefix=f".{output.name}.")
        try:
            with os.fdopen(handle, "wb") as file:
                file.write(data)
            os.replace(temporary, output)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        self.stderr.write(f"Wrote {output} ({len(data)} bytes).")
