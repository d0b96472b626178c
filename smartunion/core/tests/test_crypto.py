"""Encryption at rest, blind indexes, key rotation and the display masks."""

from __future__ import annotations

import json

import pytest
from cryptography.fernet import Fernet, InvalidToken
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import connection

from smartunion.core import crypto
from smartunion.core.masking import mask_id_number, mask_name, mask_phone
from smartunion.core.models import ImportJob, ImportRow
from smartunion.members.models import Person

from .conftest import valid_id

ID_A = valid_id("32068219850312123")
ID_B = valid_id("11010119900101001")


@pytest.fixture(autouse=True)
def _fresh_fernet():
    crypto._fernet.cache_clear()
    yield
    crypto._fernet.cache_clear()


def raw_column(model, field: str, pk) -> str | bytes:
    table = model._meta.db_table
    column = model._meta.get_field(field).column
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])
        return cursor.fetchone()[0]


# -- the encrypted field --------------------------------------------------------------------------


def test_encrypted_field_stores_ciphertext_and_reads_plaintext(tree, make_person):
    person = make_person(tree.a, "P1", id_number=ID_A)
    stored = raw_column(Person, "id_number", person.pk)
    assert stored and ID_A not in stored
    assert ID_A[-6:] not in stored and ID_A[:6] not in stored
    assert crypto.decrypt_text(stored) == ID_A  # it is a Fernet token of the value
    assert Person.objects.get(pk=person.pk).id_number == ID_A
    assert Person.objects.values_list("id_number", flat=True).get(pk=person.pk) == ID_A


def test_the_same_value_encrypts_differently_each_time(db):
    first = crypto.encrypt_text(ID_A)
    assert first != crypto.encrypt_text(ID_A)  # no equality leaks through the ciphertext
    assert crypto.decrypt_text(first) == ID_A


def test_blank_values_stay_blank_and_unicode_round_trips(tree, make_person):
    blank = make_person(tree.a, "P1", id_number="")
    assert raw_column(Person, "id_number", blank.pk) == ""
    assert Person.objects.get(pk=blank.pk).id_number == ""
    row_raw = json.dumps(["张三", "机械工程学院", "１００２３４"], ensure_ascii=False)
    job = ImportJob.objects.create(kind="members.roster", filename="x.xlsx")
    row = ImportRow.objects.create(job=job, row_number=5, status="error", raw=row_raw)
    assert "张三" not in raw_column(ImportRow, "raw", row.pk)
    assert ImportRow.objects.get(pk=row.pk).raw == row_raw


@pytest.mark.parametrize(
    "lookup", ["", "__exact", "__iexact", "__contains", "__icontains", "__startswith", "__in", "__gt"]
)
def test_lookups_on_an_encrypted_field_raise(db, lookup):
    value = [ID_A] if lookup == "__in" else ID_A
    with pytest.raises(TypeError, match="blind index"):
        Person.objects.filter(**{f"id_number{lookup}": value})


def test_isnull_lookup_works(tree, make_person):
    make_person(tree.a, "P1", id_number=ID_A)
    assert Person.objects.filter(id_number__isnull=False).count() == 1
    assert Person.objects.filter(id_number__isnull=True).count() == 0


def test_a_person_is_found_by_blind_index(tree, make_person):
    person = make_person(tree.a, "P1", id_number=ID_A)
    make_person(tree.a, "P2", id_number=ID_B)
    assert Person.objects.get(id_number_hash=crypto.blind_index(ID_A)) == person


# -- blind index ----------------------------------------------------------------------------------


def test_blind_index_is_stable_and_keyed(settings):
    first = crypto.blind_index(ID_A)
    assert first == crypto.blind_index(ID_A)
    assert len(first) == 64 and int(first, 16) >= 0
    assert first != crypto.blind_index(ID_B)
    assert ID_A not in first
    settings.FIELD_HASH_KEY = "another-key"
    assert crypto.blind_index(ID_A) != first  # keyed: without the key it cannot be recomputed
    settings.FIELD_HASH_KEY = ""
    with pytest.raises(ImproperlyConfigured):
        crypto.blind_index(ID_A)


# -- keys -----------------------------------------------------------------------------------------


def test_missing_or_invalid_keys_are_configuration_errors(settings):
    settings.FIELD_ENCRYPTION_KEYS = []
    with pytest.raises(ImproperlyConfigured, match="empty"):
        crypto.encrypt_text("x")
    settings.FIELD_ENCRYPTION_KEYS = ["not-a-fernet-key"]
    with pytest.raises(ImproperlyConfigured, match="invalid"):
        crypto.encrypt_text("x")


def test_a_value_encrypted_under_a_removed_key_is_a_clear_error(settings):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [old]
    token = crypto.encrypt_text("secret")
    settings.FIELD_ENCRYPTION_KEYS = [new]
    with pytest.raises(ImproperlyConfigured, match="FIELD_ENCRYPTION_KEYS"):
        crypto.decrypt_text(token)


def test_key_rotation_re_encrypts_everything_with_the_newest_key(settings, tree, make_person):
    k1, k2 = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [k1]
    crypto._fernet.cache_clear()
    one = make_person(tree.a, "P1", id_number=ID_A)
    two = make_person(tree.b, "P2", id_number=ID_B)
    blank = make_person(tree.b, "P3", id_number="")
    job = ImportJob.objects.create(
        kind="members.roster", filename="x.xlsx", content=crypto.encrypt_bytes(b"PK-workbook-bytes")
    )
    row = ImportRow.objects.create(job=job, row_number=7, status="error", raw='["张三", "D7"]')
    before = {
        "one": raw_column(Person, "id_number", one.pk),
        "row": raw_column(ImportRow, "raw", row.pk),
    }
    Fernet(k1.encode()).decrypt(before["one"].encode())  # written under K1

    settings.FIELD_ENCRYPTION_KEYS = [k2, k1]
    crypto._fernet.cache_clear()
    call_command("rotate_field_keys", stdout=open("/dev/null", "w"))  # noqa: SIM115

    after_one = raw_column(Person, "id_number", one.pk)
    assert after_one != before["one"]
    assert Fernet(k2.encode()).decrypt(after_one.encode()).decode() == ID_A
    with pytest.raises(InvalidToken):
        Fernet(k1.encode()).decrypt(after_one.encode())
    assert raw_column(Person, "id_number", blank.pk) == ""

    settings.FIELD_ENCRYPTION_KEYS = [k2]  # the old key is gone
    crypto._fernet.cache_clear()
    assert Person.objects.get(pk=one.pk).id_number == ID_A
    assert Person.objects.get(pk=two.pk).id_number == ID_B
    assert Person.objects.get(pk=blank.pk).id_number == ""
    assert ImportRow.objects.get(pk=row.pk).raw == '["张三", "D7"]'
    assert crypto.decrypt_bytes(bytes(ImportJob.objects.get(pk=job.pk).content)) == b"PK-workbook-bytes"
    # The blind index does not depend on the encryption keys.
    assert Person.objects.get(id_number_hash=crypto.blind_index(ID_B)) == two


def test_rotation_reports_what_it_did(settings, tree, make_person):
    import io

    make_person(tree.a, "P1", id_number=ID_A)
    out = io.StringIO()
    call_command("rotate_field_keys", stdout=out)
    assert "members.Person: 1 rows re-encrypted" in out.getvalue()
    assert "core.ImportJob: 0 pending files re-encrypted" in out.getvalue()


def test_rotation_does_not_touch_the_audit_log_or_timestamps(settings, tree, make_person):
    from smartunion.core.models import AuditEntry

    person = make_person(tree.a, "P1", id_number=ID_A)
    entries = AuditEntry.objects.count()
    updated_at = Person.objects.get(pk=person.pk).updated_at
    call_command("rotate_field_keys", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert AuditEntry.objects.count() == entries
    assert Person.objects.get(pk=person.pk).updated_at == updated_at


# -- masks ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("32068219850312123X", "3206**********123X"),
        ("110101199001010019", "1101**********0019"),
        ("320682850312123", "3206*******2123"),  # a 15-digit legacy number
        ("12345678", "********"),
        ("123456789", "1234*6789"),
        ("", ""),
        (None, ""),
    ],
)
def test_mask_id_number(value, masked):
    assert mask_id_number(value) == masked


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("13812345678", "138****5678"),
        ("15900001111", "159****1111"),
        ("051385012345", "051*****2345"),
        ("1234567", "*******"),  # nothing would be hidden between the 3 kept in front and the 4 behind
        ("123456", "******"),
        ("", ""),
        (None, ""),
    ],
)
def test_mask_phone(value, masked):
    assert mask_phone(value) == masked


@pytest.mark.parametrize(
    ("value", "masked"),
    [("张三", "张*"), ("欧阳娜娜", "欧***"), ("王", "王"), ("买买提·艾力", "买*****"), ("", ""), (None, "")],
)
def test_mask_name(value, masked):
    assert mask_name(value) == masked


def test_mask_filters_in_templates():
    from django.template import Context, Template

    html = Template("{% load smartunion %}{{ i|mask_id }} {{ p|mask_phone }} {{ n|mask_name }}").render(
        Context({"i": "32068219850312123X", "p": "13812345678", "n": "张三"})
    )
    assert html == "3206**********123X 138****5678 张*"
