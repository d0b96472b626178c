"""Timed registration work for the task worker (the same as the cron commands ``activities_expire_offers``
and ``activities_release_quotas``; both are idempotent, so running both is harmless)."""

from django_tasks import task

from .services import registration


@task()
def expire_offers_task() -> int:
    return registration.expire_offers()


@task()
def release_quotas_task() -> int:
    return registration.release_due_quotas()
