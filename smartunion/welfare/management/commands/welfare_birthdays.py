"""``manage.py welfare_birthdays [--month 2026-05] [--date 2026-05-31]``: issue the birthday benefits (生日慰问)
of every month up to this one that has not run yet (run it daily or monthly from cron: it is idempotent
and catches up on months missed), or of one ``--month``."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from smartunion.welfare.services import birthdays


class Command(BaseCommand):
    help = "Issue the birthday benefits of the months that have not run yet (idempotent; catches up)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--month", help="Run one month (YYYY-MM) only.")
        parser.add_argument("--date", help="Catch up as of this date (YYYY-MM-DD); default today.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["month"]:
            try:
                month = dt.datetime.strptime(options["month"], "%Y-%m").date()
            except ValueError:
                raise CommandError(f"--month {options['month']!r} is not a month like 2026-05") from None
            results = [birthdays.birthday_run(month)]
        else:
            today = timezone.localdate()
            if options["date"]:
                try:
                    today = dt.date.fromisoformat(options["date"])
                except ValueError:
                    raise CommandError(f"--date {options['date']!r} is not a date like 2026-05-31") from None
            results = birthdays.birthday_catch_up(today)
        failed = False
        for result in results:
            label = f"{result.month:%Y-%m}"
            if result.skipped:
                self.stdout.write(f"{label}: ran before; nothing done.")
                continue
            self.stdout.write(
                f"{label}: {result.issued} issued, {result.already} issued before, {result.entries} entries posted"
                + ("" if result.recorded else " (not complete)")
            )
            for error in result.errors:
                failed = True
                self.stderr.write(f"{label}: {error}")
        if not results:
            self.stdout.write("Every month has run.")
        if failed:
            raise CommandError(
                "Some birthday benefits could not be issued; see above. Run again after fixing."
            )
