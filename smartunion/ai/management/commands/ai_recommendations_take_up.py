"""``manage.py ai_recommendations_take_up``: mark the "适合我" recommendations the members have taken up since
they were shown (registered for the activity, chose the benefit, applied for the assistance). Idempotent;
a run after downtime catches up (and the home page checks a member's own whenever it shows them). Run
daily from cron or the task worker."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from smartunion.ai.services import recommendations


class Command(BaseCommand):
    help = "Mark the recommendations (适合我) that members have taken up; idempotent."

    def handle(self, *args: Any, **options: Any) -> None:
        marked = recommendations.refresh_take_up()
        self.stdout.write(f"{marked} recommendations newly marked as taken up.")
