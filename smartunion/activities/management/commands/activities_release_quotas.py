"""Return the unused unit quotas to the pool for activities whose release time has come (every few minutes;
idempotent: each activity's quotas are released once)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from smartunion.activities.services.registration import release_due_quotas


class Command(BaseCommand):
    help = "Release unused unit quotas to the pool at their release time, and offer the places."

    def handle(self, *args: Any, **options: Any) -> None:
        count = release_due_quotas()
        self.stdout.write(f"Quotas released for {count} activit(y/ies).")
