"""Everyone already registered gets a membership record (非会员 until the union records otherwise) and the
pinyin initials of their name; retirees are not counted as eligible to join."""

from django.db import migrations

from smartunion.core.normalise import pinyin_initials


def forwards(apps, schema_editor):
    Person = apps.get_model("members", "Person")
    Membership = apps.get_model("members", "Membership")
    StaffCategory = apps.get_model("members", "StaffCategory")
    StaffCategory.objects.filter(is_retired=True).update(is_eligible=False)
    StaffCategory.objects.filter(name__in=["劳务派遣"]).update(member_type="temporary")
    batch = []
    people = Person.objects.filter(membership__isnull=True).only("id", "name", "unit_id").iterator(chunk_size=2000)
    for person in people:
        person.name_initials = pinyin_initials(person.name)
        person.save(update_fields=["name_initials"])
        batch.append(Membership(person_id=person.id, unit_id=person.unit_id, status="none"))
        if len(batch) >= 2000:
            Membership.objects.bulk_create(batch)
            batch = []
    Membership.objects.bulk_create(batch)


class Migration(migrations.Migration):
    dependencies = [("members", "0002_membership")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
