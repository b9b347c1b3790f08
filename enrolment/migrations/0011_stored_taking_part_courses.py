import django.contrib.postgres.fields
from django.db import migrations, models


class Migration(migrations.Migration):
    """The course of each term's row of what the council counts, and the kind of manager
    they make; every stored row is put out of date, so the next reader computes them."""

    dependencies = [
        ("enrolment", "0010_stored_taking_part"),
    ]

    operations = [
        migrations.AddField(
            model_name="storedstanding",
            name="term_courses",
            field=django.contrib.postgres.fields.ArrayField(
                base_field=models.IntegerField(), null=True, size=None
            ),
        ),
        migrations.AddField(
            model_name="storedstanding",
            name="taking_part_key",
            field=models.TextField(null=True),
        ),
        migrations.RunSQL(
            "UPDATE enrolment_storedstandingday SET day = NULL", migrations.RunSQL.noop
        ),
    ]
