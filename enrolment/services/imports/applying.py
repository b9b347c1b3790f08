"""Applying a checked preview: the managers created and updated, all or none of them."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models.functions import Lower
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from programmes.models import Municipality

from ...models import Participant
from .validation import ImportPreview, PreviewRow, RowStatus


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


def _conflicting_row(preview: ImportPreview, municipality) -> PreviewRow | None:
    """The first row that clashes with what is stored now, after a write was refused."""
    rows = [r for r in preview.rows if r.status in (RowStatus.NEW, RowStatus.CHANGED)]
    emails = set(
        Participant.objects.annotate(email_lower=Lower("email"))
        .filter(email_lower__in=[r.values["email"] for r in rows])
        .values_list("email_lower", "pk")
    )
    numbers = set(
        Participant.objects.filter(
            municipality=municipality,
            employee_number__in=[
                r.values.get("employee_number") for r in rows if r.values.get("employee_number")
            ],
        ).values_list("employee_number", "pk")
    )
    taken_emails = dict(emails)
    taken_numbers = dict(numbers)
    for row in rows:
        if taken_emails.get(row.values["email"], row.participant_id) != row.participant_id:
            return row
        number = row.values.get("employee_number")
        if number and taken_numbers.get(number, row.participant_id) != row.participant_id:
            return row
    return None


def participants_import_apply(
    *, preview: ImportPreview, municipality: Municipality, actor
) -> ImportResult:
    """Create and update the managers of a checked preview, all or none of them."""
    if preview.municipality_id != municipality.pk:
        raise ValidationError(
            _("The preview was made for another municipality. Nothing was imported."),
            code="wrong_municipality",
        )
    if preview.has_errors:
        raise ValidationError(
            _("The file has errors. Correct them and upload it again. Nothing was imported."),
            code="has_errors",
        )
    actor = actor if getattr(actor, "pk", None) else None
    reason = _("Imported from the file %(name)s") % {"name": preview.file_name}
    reason = reason[:100]
    changed = [row for row in preview.rows if row.status == RowStatus.CHANGED]
    new = [row for row in preview.rows if row.status == RowStatus.NEW]
    try:
        with transaction.atomic():
            locked = Participant.objects.select_for_update().in_bulk(
                [row.participant_id for row in changed]
            )
            for row in changed:
                participant = locked.get(row.participant_id)
                if participant is None or participant.municipality_id != municipality.pk:
                    raise ValidationError(
                        _(
                            "The manager on row %(row)s has changed since the preview. "
                            "Nothing was imported; upload the file again."
                        )
                        % {"row": row.number},
                        code="stale",
                    )
                for name, value in row.updates.items():
                    setattr(participant, name, value)
                participant._history_user = actor
                participant._change_reason = reason
                participant.save(update_fields=[*row.updates, "updated_at"])
            created = []
            for row in new:
                participant = Participant(municipality=municipality, **row.values)
                participant._history_user = actor
                created.append(participant)
            bulk_create_with_history(
                created,
                Participant,
                batch_size=500,
                default_user=actor,
                default_change_reason=reason,
            )
    except IntegrityError as exc:
        row = _conflicting_row(preview, municipality)
        if row is not None:
            message = _(
                "Nothing was imported: the manager on row %(row)s clashes with one stored "
                "since the preview (same e-mail address or employee number). Upload the file "
                "again to see the current state."
            ) % {"row": row.number}
        else:
            message = _(
                "Nothing was imported: the database refused the changes. Upload the file "
                "again to see the current state."
            )
        raise ValidationError(message, code="conflict") from exc
    return ImportResult(
        created=len(new),
        updated=len(changed),
        unchanged=sum(row.status == RowStatus.UNCHANGED for row in preview.rows),
    )
