"""Erase uploaded import files and their original cells after the retention period (PIPL: keep personal
data no longer than needed). Safe to run daily; see docs/admin.md."""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from smartunion.core.services import import_files_purge


class Command(BaseCommand):
    help = "Erase uploaded import files and original cells older than IMPORT_RETENTION_DAYS."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--days", type=int, default=settings.IMPORT_RETENTION_DAYS)

    def handle(self, *args: Any, **options: Any) -> None:
        count = import_files_purge(older_than_days=options["days"])
        self.stdout.write(f"{count} import files older than {options['days']} days erased")
