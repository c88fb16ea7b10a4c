"""Purge old verification records and end expired sessions now (beat runs it hourly where workers run)."""

from typing import Any

from django.core.management.base import BaseCommand

from bawaba.accounts.maintenance import accounts_maintenance


class Command(BaseCommand):
    help = "Delete verification codes and tickets past their keeping time and end expired sessions."

    def handle(self, *args: Any, **options: Any) -> None:
        result = accounts_maintenance()
        self.stdout.write(
            f"codes deleted: {result.codes_deleted}, tickets deleted: {result.tickets_deleted}, "
            f"verifications deleted: {result.verifications_deleted}, sessions ended: {result.sessions_ended}"
        )
