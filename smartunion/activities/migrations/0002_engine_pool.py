"""The registration engine's pool counter: places taken outside the unit quotas (see services.registration)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("activities", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="activity",
            name="pool_used",
            field=models.PositiveIntegerField(
                default=0, editable=False, verbose_name="places taken from the pool"
            ),
        ),
    ]
