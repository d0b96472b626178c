"""On PostgreSQL the ledger refuses UPDATE and DELETE of entries and lines at the database level, and a
deferred constraint trigger checks at commit that every entry has at least two lines summing to zero, so
not even a raw SQL statement from the application can unbalance or rewrite the books. (TRUNCATE, an
administrator's operation the test suite uses between tests, is not a row operation and stays possible.)
On SQLite the service checks the balance and the models refuse changes."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION smartunion_finance_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: % refused; post a reversal', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS finance_entry_append_only ON finance_entry;
CREATE TRIGGER finance_entry_append_only
    BEFORE UPDATE OR DELETE ON finance_entry
    FOR EACH ROW EXECUTE FUNCTION smartunion_finance_append_only();
DROP TRIGGER IF EXISTS finance_entryline_append_only ON finance_entryline;
CREATE TRIGGER finance_entryline_append_only
    BEFORE UPDATE OR DELETE ON finance_entryline
    FOR EACH ROW EXECUTE FUNCTION smartunion_finance_append_only();

CREATE OR REPLACE FUNCTION smartunion_finance_balanced() RETURNS trigger AS $$
DECLARE
    the_entry bigint;
    total numeric;
    lines integer;
BEGIN
    IF TG_TABLE_NAME = 'finance_entry' THEN
        the_entry := NEW.id;
    ELSE
        the_entry := NEW.entry_id;
    END IF;
    SELECT COALESCE(SUM(amount), 0), COUNT(*) INTO total, lines
        FROM finance_entryline WHERE entry_id = the_entry;
    IF lines < 2 OR total <> 0 THEN
        RAISE EXCEPTION 'finance entry % does not balance: % line(s) summing to %', the_entry, lines, total
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS finance_entry_balanced ON finance_entry;
CREATE CONSTRAINT TRIGGER finance_entry_balanced
    AFTER INSERT ON finance_entry
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION smartunion_finance_balanced();
DROP TRIGGER IF EXISTS finance_entryline_balanced ON finance_entryline;
CREATE CONSTRAINT TRIGGER finance_entryline_balanced
    AFTER INSERT ON finance_entryline
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION smartunion_finance_balanced();
"""

DROP = """
DROP TRIGGER IF EXISTS finance_entryline_balanced ON finance_entryline;
DROP TRIGGER IF EXISTS finance_entry_balanced ON finance_entry;
DROP FUNCTION IF EXISTS smartunion_finance_balanced();
DROP TRIGGER IF EXISTS finance_entryline_append_only ON finance_entryline;
DROP TRIGGER IF EXISTS finance_entry_append_only ON finance_entry;
DROP FUNCTION IF EXISTS smartunion_finance_append_only();
"""


def create_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        # params=None: the SQL is sent as written; with parameters psycopg would read RAISE's "%" as one.
        schema_editor.execute(CREATE, params=None)


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("finance", "0001_initial")]

    operations = [migrations.RunPython(create_triggers, drop_triggers)]
