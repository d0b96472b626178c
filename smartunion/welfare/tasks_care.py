"""Task-worker entry points of the care and birthday jobs (enqueue them from a scheduler, or run the
management commands ``welfare_birthdays`` and ``welfare_care_reminders`` from cron). Both are idempotent
and catch up after downtime."""

from __future__ import annotations

from django_tasks import task

from .services import birthdays, care_admin


@task()
def birthdays_catch_up_task() -> dict[str, int]:
    results = birthdays.birthday_catch_up()
    return {
        "months": len(results),
        "issued": sum(result.issued for result in results),
        "errors": sum(len(result.errors) for result in results),
    }


@task()
def care_reminders_task() -> dict[str, int]:
    result = care_admin.care_reminders()
    return {"events": result.events, "units": result.units, "skipped": result.skipped}
