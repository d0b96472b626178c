"""Databases whose chart was seeded before net assets existed get 301 上年结余, where opening balances are
carried in from the books kept before SmartUnion. An empty chart is seeded whole after migrate instead."""

from django.db import migrations


def add_net_assets(apps, schema_editor):
    Category = apps.get_model("finance", "Category")
    if Category.objects.exists() and not Category.objects.filter(code="301").exists():
        Category.objects.create(code="301", name="上年结余", kind="net_assets", sort_order=0)


class Migration(migrations.Migration):
    dependencies = [("finance", "0004_allocation_adjustment_years")]

    operations = [migrations.RunPython(add_net_assets, migrations.RunPython.noop)]
