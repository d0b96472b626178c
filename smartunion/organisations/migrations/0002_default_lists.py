from django.db import migrations

UNIT_KINDS = ["学院", "机关处室", "直属单位", "附属单位", "群团组织"]
POSITIONS = ["主席", "常务副主席", "副主席", "委员", "组长", "副组长", "女工委员", "经审委员", "组织委员", "宣传委员", "文体委员", "生活委员"]


def seed(apps, schema_editor):
    UnitKind = apps.get_model("organisations", "UnitKind")
    PositionKind = apps.get_model("organisations", "PositionKind")
    for order, name in enumerate(UNIT_KINDS):
        UnitKind.objects.get_or_create(name=name, defaults={"sort_order": order})
    for order, name in enumerate(POSITIONS):
        PositionKind.objects.get_or_create(name=name, defaults={"sort_order": order})


class Migration(migrations.Migration):
    dependencies = [("organisations", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
