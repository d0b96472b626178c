from django_tasks import task

from . import services


@task()
def import_preview_task(job_id: str) -> None:
    services.import_job_preview(job_id=job_id)


@task()
def import_apply_task(job_id: str) -> None:
    services.import_job_run_apply(job_id=job_id)
