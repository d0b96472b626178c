# Transfer letters unique per issuing union; correction requests encrypted at rest.

import django.db.models.deletion  # noqa: F401
import smartunion.core.fields
from django.conf import settings
from django.db import migrations, models

from smartunion.core import crypto


def encrypt_existing(apps, schema_editor):
    """Correction requests written before the field was encrypted are encrypted in place."""
    table = apps.get_model("members", "CorrectionRequest")._meta.db_table
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(f"SELECT id, requested_value FROM {table}")
        for pk, value in cursor.fetchall():
            if not value:
                continue
            try:
                crypto.decrypt_text(value)
                continue  # already encrypted
            except Exception:
                pass
            cursor.execute(
                f"UPDATE {table} SET requested_value = %s WHERE id = %s", [crypto.encrypt_text(value), pk]
            )


class Migration(migrations.Migration):

    dependencies = [
        ('members', '0005_system_recorded'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='membershiptransfer',
            name='membership_transfer_letter_unique',
        ),
        migrations.AlterField(
            model_name='correctionrequest',
            name='requested_value',
            field=smartunion.core.fields.EncryptedTextField(verbose_name='correct value'),
        ),
        migrations.AddConstraint(
            model_name='membershiptransfer',
            constraint=models.UniqueConstraint(fields=('direction', 'counterpart', 'letter_no'), name='membership_transfer_letter_unique'),
        ),
        migrations.RunPython(encrypt_existing, migrations.RunPython.noop),
    ]
