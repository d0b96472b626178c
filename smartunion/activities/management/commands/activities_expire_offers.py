"""Pass on the places offered from a waiting list and not accepted in time (every few minutes; idempotent)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from smartunion.activities.services.registration import expire_offers


class Command(BaseCommand):
    help = "Pass expired waiting-list offers on to the next member."

    def handle(self, *args: Any, **options: Any) -> None:
        count = expire_offers()
        self.stdout.write(f"{count} offer(s) expired and passed on.")
