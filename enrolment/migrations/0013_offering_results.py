from django.db import migrations, models

# A change to an enrolment notes its offering, old and new, in the transaction of the
# change, for the next refresh to count again (`enrolment.results`).
FUNCTIONS = """
CREATE FUNCTION offering_results_note_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO enrolment_staleoffering (offering_id)
    SELECT DISTINCT offering_id FROM new_rows WHERE offering_id IS NOT NULL
    ON CONFLICT DO NOTHING;
    RETURN NULL;
END $$;
CREATE FUNCTION offering_results_note_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO enrolment_staleoffering (offering_id)
    SELECT o.offering_id FROM old_rows o JOIN new_rows n ON n.id = o.id
    WHERE o IS DISTINCT FROM n AND o.offering_id IS NOT NULL
    UNION
    SELECT n.offering_id FROM old_rows o JOIN new_rows n ON n.id = o.id
    WHERE o IS DISTINCT FROM n AND n.offering_id IS NOT NULL
    ON CONFLICT DO NOTHING;
    RETURN NULL;
END $$;
CREATE FUNCTION offering_results_note_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO enrolment_staleoffering (offering_id)
    SELECT DISTINCT offering_id FROM old_rows WHERE offering_id IS NOT NULL
    ON CONFLICT DO NOTHING;
    RETURN NULL;
END $$;
CREATE TRIGGER offering_results_i AFTER INSERT ON enrolment_enrolment
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION offering_results_note_inserted();
CREATE TRIGGER offering_results_u AFTER UPDATE ON enrolment_enrolment
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION offering_results_note_updated();
CREATE TRIGGER offering_results_d AFTER DELETE ON enrolment_enrolment
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION offering_results_note_deleted();
"""

DROP = """
DROP TRIGGER IF EXISTS offering_results_i ON enrolment_enrolment;
DROP TRIGGER IF EXISTS offering_results_u ON enrolment_enrolment;
DROP TRIGGER IF EXISTS offering_results_d ON enrolment_enrolment;
DROP FUNCTION IF EXISTS offering_results_note_inserted();
DROP FUNCTION IF EXISTS offering_results_note_updated();
DROP FUNCTION IF EXISTS offering_results_note_deleted();
"""


def create_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(FUNCTIONS)


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(DROP)


class Migration(migrations.Migration):
    """Each offering's passes and fails kept counted for today, and the triggers that note
    the offerings whose enrolments change; every stored row is put out of date, so the
    next reader counts every offering."""

    dependencies = [
        ("enrolment", "0012_council_counts"),
    ]

    operations = [
        migrations.CreateModel(
            name="OfferingResults",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("offering_id", models.BigIntegerField(db_index=True)),
                ("passed", models.BigIntegerField()),
                ("failed", models.BigIntegerField()),
            ],
        ),
        migrations.CreateModel(
            name="StaleOffering",
            fields=[
                ("offering_id", models.BigIntegerField(primary_key=True, serialize=False)),
            ],
        ),
        migrations.RunPython(create_triggers, drop_triggers),
        migrations.RunSQL(
            "UPDATE enrolment_storedstandingday SET day = NULL", migrations.RunSQL.noop
        ),
    ]
