"""People HR registered link to the account with the same 工号, where one exists and neither is linked."""

from django.conf import settings
from django.db import migrations


def link(apps, schema_editor):
    Person = apps.get_model("members", "Person")
    User = apps.get_model(*settings.AUTH_USER_MODEL.split("."))
    linked = set(Person.objects.filter(user__isnull=False).values_list("user_id", flat=True))
    accounts = dict(User.objects.values_list("staff_no", "pk"))
    for person in Person.objects.filter(user__isnull=True).only("id", "staff_no").iterator(chunk_size=2000):
        user_id = accounts.get(person.staff_no)
        if user_id is not None and user_id not in linked:
            Person.objects.filter(pk=person.pk).update(user_id=user_id)
            linked.add(user_id)


class Migration(migrations.Migration):
    dependencies = [
        ("members", "0006_transfer_letters_per_union_encrypted_corrections"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [migrations.RunPython(link, migrations.RunPython.noop)]
