"""Rebuild the search index from the catalogue (after an upgrade, a restore, or direct database edits)."""

from typing import Any

from django.core.management.base import BaseCommand

from bawaba.catalog.search import search_index_rebuild


class Command(BaseCommand):
    help = "Rebuild the service search index from the catalogue."

    def handle(self, *args: Any, **options: Any) -> None:
        count = search_index_rebuild()
        self.stdout.write(self.style.SUCCESS(f"Search index rebuilt: {count} services indexed."))
