"""Long welfare work run by the task worker (the immediate backend in tests)."""

from django_tasks import task

from .services import programmes


@task()
def programme_issue_task(programme_id: int, actor_id: int | None) -> dict[str, int]:
    return programmes.programme_issue_run(programme_id=programme_id, actor_id=actor_id)
