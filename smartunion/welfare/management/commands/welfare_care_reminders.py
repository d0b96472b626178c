"""``manage.py welfare_care_reminders [--date 2026-05-31]``: tell the responsible units' officers of care
events (五必访) not visited within their type's days. Run it daily from cron: an event is reminded of at
most once a day, so a second run the same day sends nothing."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from smartunion.welfare.services import care_admin


class Command(BaseCommand):
    help = "Remind the responsible units of overdue care visits (五必访); once a day per event."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--date", help="Judge as of this date (YYYY-MM-DD); default today.")

    def handle(self, *args: Any, **options: Any) -> None:
        today = timezone.localdate()
        if options["date"]:
            try:
                today = dt.date.fromisoformat(options["date"])
            except ValueError:
                raise CommandError(f"--date {options['date']!r} is not a date like 2026-05-31") from None
        result = care_admin.care_reminders(today)
        self.stdout.write(
            self.style.SUCCESS(
                f"{result.events} overdue event(s) reminded to {result.units} unit(s); "
                f"{result.skipped} reminded earlier today."
            )
        )
