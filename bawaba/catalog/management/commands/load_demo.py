"""Load the demo catalogue once; later runs keep whatever is in the database (use --force to reload)."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from bawaba.catalog.demo import MEDIA_DIR, demo_document
from bawaba.catalog.models import Service
from bawaba.catalog.transfer.errors import CatalogueImportFailed
from bawaba.catalog.transfer.json_import import catalogue_import


class Command(BaseCommand):
    help = "Load the demo catalogue (departments, offices, service guides) if the catalogue is empty."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--force", action="store_true", help="Load even if services already exist.")

    def handle(self, *args: Any, force: bool = False, **options: Any) -> None:
        if Service.objects.exists() and not force:
            self.stdout.write("Demo catalogue already loaded; keeping the existing data.")
            return
        try:
            report = catalogue_import(document=demo_document(), media_root=MEDIA_DIR)
        except CatalogueImportFailed as failure:
            raise CommandError(f"Demo data is invalid:\n{failure}") from failure
        self.stdout.write(self.style.SUCCESS(f"Demo catalogue loaded: {report.summary()}"))
