# The reason for rejecting an assistance application is encrypted at rest (it often repeats the
# circumstances); the reasons written before are encrypted in place.

import smartunion.core.fields
from django.db import migrations

from smartunion.core import crypto


def encrypt_existing(apps, schema_editor):
    table = apps.get_model("hardship", "AssistanceApplication")._meta.db_table
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(f"SELECT id, reject_reason FROM {table} WHERE reject_reason <> ''")
        for pk, value in cursor.fetchall():
            if not value:
                continue
            try:
                crypto.decrypt_text(value)
                continue  # already encrypted
            except Exception:
                pass
            cursor.execute(
                f"UPDATE {table} SET reject_reason = %s WHERE id = %s", [crypto.encrypt_text(value), pk]
            )


def decrypt_existing(apps, schema_editor):
    table = apps.get_model("hardship", "AssistanceApplication")._meta.db_table
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(f"SELECT id, reject_reason FROM {table} WHERE reject_reason <> ''")
        for pk, value in cursor.fetchall():
            try:
                plain = crypto.decrypt_text(value)
            except Exception:
                continue  # not encrypted
            cursor.execute(f"UPDATE {table} SET reject_reason = %s WHERE id = %s", [plain, pk])


class Migration(migrations.Migration):

    dependencies = [
        ("hardship", "0001_initial"),
    ]

    operations = [
        migrations.AlterField(
            model_name="assistanceapplication",
            name="reject_reason",
            field=smartunion.core.fields.EncryptedTextField(blank=True, verbose_name="reason for rejection"),
        ),
        migrations.RunPython(encrypt_existing, decrypt_existing),
    ]
