"""``manage.py finance_verify``: recompute the ledger's hash chain; exit status 1 if it was tampered with."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from smartunion.finance.verify import verify_chain


class Command(BaseCommand):
    help = (
        "Recompute the hash chain of the ledger from the first entry and report the first entry whose "
        "data, hash or link does not match (exit status 1)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        result = verify_chain()
        if not result.ok:
            raise CommandError(str(result))
        self.stdout.write(self.style.SUCCESS(str(result)))
