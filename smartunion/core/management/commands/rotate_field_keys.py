"""Re-encrypt every encrypted value with the newest key of FIELD_ENCRYPTION_KEYS (see docs/admin.md)."""

from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

from smartunion.core import crypto
from smartunion.core.fields import EncryptedTextField
from smartunion.core.models import ImportJob

BATCH = 500


class Command(BaseCommand):
    help = "Re-encrypt sensitive fields and pending import files with the first key in FIELD_ENCRYPTION_KEYS."

    def handle(self, *args: Any, **options: Any) -> None:
        for model in apps.get_models():
            names = [f.attname for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)]
            if not names:
                continue
            rotated = 0
            pks = list(model._base_manager.values_list("pk", flat=True).order_by("pk"))
            for start in range(0, len(pks), BATCH):
                with transaction.atomic():
                    for obj in model._base_manager.filter(pk__in=pks[start : start + BATCH]).only(*names):
                        # The values were decrypted on load (with whichever key fits); writing them back
                        # through update() encrypts them with the newest key without calling save().
                        model._base_manager.filter(pk=obj.pk).update(
                            **{name: getattr(obj, name) for name in names}
                        )
                        rotated += 1
            self.stdout.write(f"{model._meta.label}: {rotated} rows re-encrypted")
        jobs = 0
        for job in ImportJob.objects.exclude(content=None).only("pk", "content"):
            ImportJob.objects.filter(pk=job.pk).update(
                content=crypto.fernet().rotate(bytes(job.content or b""))
            )
            jobs += 1
        self.stdout.write(f"core.ImportJob: {jobs} pending files re-encrypted")
