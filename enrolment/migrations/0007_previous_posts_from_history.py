"""Managers who moved before posts were dated: their post before the move, read back from
the change history (the last recorded state in another municipality), ends on the day
the move was recorded."""

from django.db import migrations


def previous_posts_from_history(apps, schema_editor):
    Participant = apps.get_model("enrolment", "Participant")
    HistoricalParticipant = apps.get_model("enrolment", "HistoricalParticipant")
    PreviousPost = apps.get_model("enrolment", "PreviousPost")
    posts = []
    moved = Participant.objects.filter(in_municipality_since__isnull=False)
    for participant in moved.iterator():
        before = (
            HistoricalParticipant.objects.filter(id=participant.pk)
            .exclude(municipality_id=participant.municipality_id)
            .order_by("-history_date")
            .first()
        )
        if before is None:
            continue
        since = before.in_municipality_since
        if since is not None and since >= participant.in_municipality_since:
            since = None
        posts.append(
            PreviousPost(
                participant_id=participant.pk,
                municipality_id=before.municipality_id,
                administration_id=before.administration_id,
                position=before.position,
                valid_from=since,
                valid_to=participant.in_municipality_since,
            )
        )
    PreviousPost.objects.bulk_create(posts)


class Migration(migrations.Migration):
    dependencies = [("enrolment", "0006_previous_posts_and_clock_on_arrival")]

    operations = [
        migrations.RunPython(previous_posts_from_history, migrations.RunPython.noop),
    ]
