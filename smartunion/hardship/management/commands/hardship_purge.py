"""``manage.py hardship_purge [--dry-run] [--date 2026-05-31]``: delete the closed hardship files and the
finished assistance applications kept past their ``retain_until``, with everything they hold, leaving only
anonymous counts. Idempotent; run daily from cron (docs/admin.md)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from smartunion.hardship.services import retention


class Command(BaseCommand):
    help = "Purge hardship files and assistance applications past their retention date (daily)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="Count what would be purged; delete nothing."
        )
        parser.add_argument("--date", help="As of this date (YYYY-MM-DD); default today.")

    def handle(self, *args: Any, **options: Any) -> None:
        today = None
        if options["date"]:
            try:
                today = dt.date.fromisoformat(options["date"])
            except ValueError:
                raise CommandError(f"--date {options['date']!r} is not a date like 2026-05-31") from None
        result = retention.purge(today=today, dry_run=options["dry_run"])
        prefix = "Would purge" if options["dry_run"] else "Purged"
        self.stdout.write(
            f"{prefix} {result.files} files and {result.applications} applications; "
            f"retention date set on {result.retention_set} applications."
        )
