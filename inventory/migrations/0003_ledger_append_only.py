"""The ledger is append-only in the database too: PostgreSQL refuses UPDATE and DELETE on stock movements."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION okno_stockmovement_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'inventory_stockmovement is append-only (%% refused)', TG_OP;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER inventory_stockmovement_append_only
    BEFORE UPDATE OR DELETE ON inventory_stockmovement
    FOR EACH ROW EXECUTE FUNCTION okno_stockmovement_append_only();
"""
DROP = """
DROP TRIGGER IF EXISTS inventory_stockmovement_append_only ON inventory_stockmovement;
DROP FUNCTION IF EXISTS okno_stockmovement_append_only();
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("inventory", "0002_initial")]
    operations = [migrations.RunPython(create, drop)]
