from django_tasks import task

from . import services


@task()
def deliver_task(delivery_ids: list[int]) -> dict[str, int]:
    return services.deliver(delivery_ids=delivery_ids)
