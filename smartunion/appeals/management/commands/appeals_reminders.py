"""``manage.py appeals_reminders [--date 2026-05-31]``: the appeals' daily reminders — acknowledgement
overdue, reply due soon and overdue (the office), escalation to the union office, and the member's rating
reminder. Each is sent once per appeal and round (idempotent), and a run after downtime catches up. Run
daily from cron."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from smartunion.appeals.services import reminders


class Command(BaseCommand):
    help = "Send the daily appeal reminders and escalations; idempotent."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--date", help="As of this date (YYYY-MM-DD); default today.")

    def handle(self, *args: Any, **options: Any) -> None:
        today = None
        if options["date"]:
            try:
                today = dt.date.fromisoformat(options["date"])
            except ValueError:
                raise CommandError(f"--date {options['date']!r} is not a date like 2026-05-31") from None
        counts = reminders.reminders_send(today=today)
        self.stdout.write(
            f"{counts['ack_due']} acknowledgement, {counts['reply_soon']} due-soon, "
            f"{counts['reply_overdue']} overdue, {counts['escalated']} escalated, {counts['rate']} rating "
            f"reminders; {counts['notifications']} notifications sent."
        )
