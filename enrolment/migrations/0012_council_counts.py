import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    """The council's grids and cohorts kept counted with the stored rows, which only a
    refresh writes (a deleted manager's row is removed by the next refresh, not by the
    deletion); every stored row is put out of date, so the next reader computes them and
    counts every municipality."""

    dependencies = [
        ('enrolment', '0011_stored_taking_part_courses'),
    ]

    operations = [
        migrations.CreateModel(
            name='TakingPartCell',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('place', models.BigIntegerField()),
                ('term', models.IntegerField(null=True)),
                ('whole', models.BooleanField()),
                ('took', models.BigIntegerField(null=True)),
                ('passes', models.BigIntegerField(null=True)),
                ('hp', models.DecimalField(decimal_places=1, max_digits=12, null=True)),
                ('people', models.BigIntegerField(null=True)),
            ],
        ),
        migrations.CreateModel(
            name='TrainedCohort',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('place', models.BigIntegerField()),
                ('kind', models.CharField(max_length=20)),
                ('months', models.IntegerField()),
                ('part', models.BigIntegerField()),
                ('whole', models.BigIntegerField()),
            ],
        ),
        migrations.AlterField(
            model_name='storedstanding',
            name='participant',
            field=models.OneToOneField(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, primary_key=True, related_name='+', serialize=False, to='enrolment.participant'),
        ),
        migrations.AddIndex(
            model_name='storedstanding',
            index=models.Index(fields=['placed_municipality_id'], name='stored_standing_placed'),
        ),
        migrations.AddIndex(
            model_name='takingpartcell',
            index=models.Index(fields=['place'], name='taking_part_cell_place'),
        ),
        migrations.AddIndex(
            model_name='trainedcohort',
            index=models.Index(fields=['place'], name='trained_cohort_place'),
        ),
        migrations.RunSQL(
            "UPDATE enrolment_storedstandingday SET day = NULL", migrations.RunSQL.noop
        ),
    ]
