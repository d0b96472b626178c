"""``manage.py hardship_review_reminders [--date 2026-05-31]``: open a review for every active file whose
annual review comes due within 30 days (files approved after the year's round), and remind the responsible
officers (``hardship.files.manage`` at the file's unit) of reviews due within 30 days or overdue — at most
once per 7 days per review. Run daily from cron."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from smartunion.hardship.services import reviews


class Command(BaseCommand):
    help = "Open the hardship file reviews coming due and remind the responsible officers (daily)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--date", help="As of this date (YYYY-MM-DD); default today.")

    def handle(self, *args: Any, **options: Any) -> None:
        today = None
        if options["date"]:
            try:
                today = dt.date.fromisoformat(options["date"])
            except ValueError:
                raise CommandError(f"--date {options['date']!r} is not a date like 2026-05-31") from None
        counts = reviews.reminders_send(today=today)
        self.stdout.write(
            f"{counts['created']} reviews opened, {counts['reminded']} reviews reminded, "
            f"{counts['notified']} notifications sent."
        )
