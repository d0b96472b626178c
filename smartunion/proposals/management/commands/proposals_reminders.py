"""``manage.py proposals_reminders [--date 2026-05-31]``: the daily 督办 reminders of the proposals — the
退办 window ending, replies due soon and overdue (offices; the committee for overdue ones), escalation to the
office head and the supervising school leader, and reminders to rate a released reply. Each is sent once per
proposal and round (idempotent), and a run after downtime catches up. Run daily from cron."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from smartunion.proposals.services import supervision


class Command(BaseCommand):
    help = "Send the daily proposal reminders and escalations (督办); idempotent."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--date", help="As of this date (YYYY-MM-DD); default today.")

    def handle(self, *args: Any, **options: Any) -> None:
        today = None
        if options["date"]:
            try:
                today = dt.date.fromisoformat(options["date"])
            except ValueError:
                raise CommandError(f"--date {options['date']!r} is not a date like 2026-05-31") from None
        counts = supervision.reminders_send(today=today)
        self.stdout.write(
            f"{counts['return_window']} return-window, {counts['before_due']} due-soon, {counts['overdue']} overdue, "
            f"{counts['escalated']} escalated, {counts['evaluation']} evaluation reminders; "
            f"{counts['notifications']} notifications sent."
        )
