from django.db import migrations

CATEGORIES = [("在编", False), ("人事代理", False), ("合同制", False), ("劳务派遣", False), ("博士后", False), ("退休", True)]


def seed(apps, schema_editor):
    StaffCategory = apps.get_model("members", "StaffCategory")
    for order, (name, retired) in enumerate(CATEGORIES):
        StaffCategory.objects.get_or_create(name=name, defaults={"sort_order": order, "is_retired": retired})


class Migration(migrations.Migration):
    dependencies = [("members", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
