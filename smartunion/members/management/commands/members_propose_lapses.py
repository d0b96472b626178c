"""``manage.py members_propose_lapses [--date 2026-11-30] [--dry-run]``: propose 自动退会 for members who have
not paid dues for six months and took no part in union life (run it daily or monthly; it is idempotent
and catches up after downtime). It never changes a status: a person confirms or dismisses each proposal
on the lapse list."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from smartunion.members import selectors, services


class Command(BaseCommand):
    help = "Propose lapse (自动退会) for members six months without dues or participation; a person decides."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--date", help="Judge as of this date (YYYY-MM-DD); default today.")
        parser.add_argument(
            "--dry-run", action="store_true", help="List who would be proposed; change nothing."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        on = timezone.localdate()
        if options["date"]:
            try:
                on = dt.date.fromisoformat(options["date"])
            except ValueError:
                raise CommandError(f"--date {options['date']!r} is not a date like 2026-11-30") from None
        if options["dry_run"]:
            candidates = selectors.dues.lapse_candidates(on)
            for candidate in candidates:
                self.stdout.write(self._line(candidate.membership, candidate.last_paid_month))
            self.stdout.write(f"{len(candidates)} member(s) would be proposed (dry run; nothing changed).")
            return
        proposals = services.dues.lapses_propose(on=on)
        for proposal in proposals:
            self.stdout.write(self._line(proposal.membership, proposal.last_dues_month))
        self.stdout.write(
            self.style.SUCCESS(f"{len(proposals)} new lapse proposal(s) as of {on.isoformat()}.")
        )

    @staticmethod
    def _line(membership: Any, last_paid: dt.date | None) -> str:
        person = membership.person
        paid = f"{last_paid:%Y-%m}" if last_paid else "never"
        return f"{person.staff_no}\t{person.name}\t{membership.unit.name}\tlast paid: {paid}"
