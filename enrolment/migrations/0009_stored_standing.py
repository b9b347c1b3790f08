"""The stored standing of each manager, and the triggers that note what puts it out of
date."""

import django.db.models.deletion
from django.db import migrations, models


# What StoredStanding is computed from. A change to a manager's own rows notes that
# manager; a change to what many managers share (programmes, offerings, mandates, the
# municipalities' regions) puts every row out of date.
PER_MANAGER = {
    "enrolment_participant": "id",
    "enrolment_enrolment": "participant_id",
    "enrolment_credittransfer": "participant_id",
    "enrolment_deadlinedecision": "participant_id",
    "enrolment_previouspost": "participant_id",
}
SHARED = [
    "programmes_region",
    "programmes_municipality",
    "programmes_administration",
    "programmes_nationalbody",
    "programmes_programme",
    "programmes_programmeslot",
    "programmes_course",
    "programmes_courseequivalence",
    "programmes_courseoffering",
    "programmes_provider",
    "programmes_programmeprovider",
    "programmes_programmeprovider_municipalities",
    "programmes_programmeprovider_regions",
    "enrolment_mandate",
    "enrolment_mandate_administrations",
]

FUNCTIONS = """
CREATE FUNCTION stored_standing_note_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format('INSERT INTO enrolment_stalestanding (participant_id)
                    SELECT DISTINCT %1$I FROM new_rows WHERE %1$I IS NOT NULL
                    ON CONFLICT DO NOTHING', TG_ARGV[0]);
    RETURN NULL;
END $$;
CREATE FUNCTION stored_standing_note_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format('INSERT INTO enrolment_stalestanding (participant_id)
                    SELECT o.%1$I FROM old_rows o JOIN new_rows n ON n.%2$I = o.%2$I
                    WHERE o IS DISTINCT FROM n AND o.%1$I IS NOT NULL
                    UNION
                    SELECT n.%1$I FROM old_rows o JOIN new_rows n ON n.%2$I = o.%2$I
                    WHERE o IS DISTINCT FROM n AND n.%1$I IS NOT NULL
                    ON CONFLICT DO NOTHING', TG_ARGV[0], TG_ARGV[1]);
    RETURN NULL;
END $$;
CREATE FUNCTION stored_standing_note_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format('INSERT INTO enrolment_stalestanding (participant_id)
                    SELECT DISTINCT %1$I FROM old_rows WHERE %1$I IS NOT NULL
                    ON CONFLICT DO NOTHING', TG_ARGV[0]);
    RETURN NULL;
END $$;
CREATE FUNCTION stored_standing_note_shared() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE enrolment_storedstandingday SET day = NULL WHERE day IS NOT NULL;
    RETURN NULL;
END $$;
"""


def _triggers() -> str:
    sql = [FUNCTIONS]
    for table, column in PER_MANAGER.items():
        sql.append(f"""
CREATE TRIGGER stored_standing_i AFTER INSERT ON {table} REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION stored_standing_note_inserted('{column}');
CREATE TRIGGER stored_standing_u AFTER UPDATE ON {table}
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION stored_standing_note_updated('{column}', 'id');
CREATE TRIGGER stored_standing_d AFTER DELETE ON {table} REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION stored_standing_note_deleted('{column}');""")
    for table in SHARED:
        sql.append(f"""
CREATE TRIGGER stored_standing_s AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table}
    FOR EACH STATEMENT EXECUTE FUNCTION stored_standing_note_shared();""")
    return "\n".join(sql)


def _drop() -> str:
    sql = [
        f"DROP TRIGGER IF EXISTS stored_standing_{kind} ON {table};"
        for table in PER_MANAGER
        for kind in "iud"
    ]
    sql += [f"DROP TRIGGER IF EXISTS stored_standing_s ON {table};" for table in SHARED]
    sql += [
        f"DROP FUNCTION IF EXISTS stored_standing_note_{name}();"
        for name in ("inserted", "updated", "deleted", "shared")
    ]
    return "\n".join(sql)


def create_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        # Through the cursor without parameters: the functions' format() strings hold %.
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(_triggers())


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(_drop())


class Migration(migrations.Migration):
    dependencies = [
        ("enrolment", "0008_deadline_decisions"),
    ]

    operations = [
        migrations.CreateModel(
            name="StaleStanding",
            fields=[
                ("participant_id", models.BigIntegerField(primary_key=True, serialize=False)),
            ],
        ),
        migrations.CreateModel(
            name="StoredStandingDay",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("day", models.DateField(null=True)),
            ],
        ),
        migrations.CreateModel(
            name="StoredStanding",
            fields=[
                (
                    "participant",
                    models.OneToOneField(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="+",
                        serialize=False,
                        to="enrolment.participant",
                    ),
                ),
                ("current_municipality_id", models.BigIntegerField()),
                ("slot_count", models.IntegerField()),
                ("slots_filled", models.IntegerField()),
                ("hp", models.DecimalField(decimal_places=1, max_digits=5)),
                ("programme_exempt", models.BooleanField()),
                ("programme_complete", models.BooleanField()),
                ("programme_status", models.CharField(max_length=20)),
                ("begun", models.BooleanField()),
                ("holds_seat", models.BooleanField()),
                ("completed_on", models.DateField(null=True)),
                ("municipality_id", models.BigIntegerField(null=True)),
                ("compliance_status", models.CharField(max_length=20, null=True)),
                ("compliance_deadline", models.DateField(null=True)),
                ("start_by", models.DateField(null=True)),
                ("complete_by", models.DateField(null=True)),
                ("estimated_finish", models.DateField(null=True)),
            ],
            options={
                "indexes": [models.Index(fields=["hp"], name="stored_standing_hp")],
            },
        ),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
