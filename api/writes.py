"""Writes through the API: the pages' form and services for one manager, the file
import's validation and applying for many. Nothing here adds a rule of its own."""

from datetime import date

from django.db.models.functions import Lower
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError

from enrolment.forms import ParticipantForm
from enrolment.forms_participants import ParticipantEditForm
from enrolment.models import Participant
from enrolment.services.imports import (
    COLUMNS,
    Column,
    municipalities_importable_by,
    participants_import_apply,
    participants_rows_preview,
)
from enrolment.services.participants import participant_create, participant_update
from portal.accounts.scope import EDITOR_ROLES
from programmes.selectors import municipalities_visible_to

from .problems import RowsInvalid

DETAILS = ParticipantForm.Meta.fields


def _municipality(code, municipalities, participant):
    if code:
        match = next((m for m in municipalities if m.code == code), None)
        if match is None:
            raise ValidationError(
                {"municipality": [_("Give the code of a municipality whose managers you edit.")]}
            )
        return match
    if participant is not None:
        return participant.municipality
    if len(municipalities) == 1:
        return municipalities[0]
    raise ValidationError({"municipality": [_("Give the municipality code.")]})


def _form_value(value):
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def participant_save(*, user, participant: Participant | None, data: dict) -> Participant:
    """Create (participant None) or update a manager, checked by the page's form first.
    Fields left out of `data` keep their stored values."""
    municipalities = list(municipalities_visible_to(user, EDITOR_ROLES).order_by("name"))
    if not municipalities:
        raise Http404
    municipality = _municipality(data.get("municipality"), municipalities, participant)
    values = {}
    if participant is not None:
        values = {name: getattr(participant, name) for name in DETAILS if name != "administration"}
        values["administration"] = participant.administration_id
    values.update({name: data[name] for name in DETAILS if name in data})
    form_data = {name: _form_value(value) for name, value in values.items()}
    form_data["municipality"] = str(municipality.pk)
    form = ParticipantEditForm(
        form_data, user=user, municipalities=municipalities, instance=participant
    )
    if not form.is_valid():
        raise ValidationError(
            {
                ("non_field_errors" if name == "__all__" else name): list(errors)
                for name, errors in form.errors.items()
            }
        )
    details = {name: form.cleaned_data[name] for name in DETAILS}
    if participant is None:
        return participant_create(user=user, municipality=form.municipality, **details)
    return participant_update(
        user=user, participant=participant, municipality=form.municipality, **details
    )


def _columns(rows: list[dict]) -> list[Column]:
    fields = set(rows[0])
    if any(set(row) != fields for row in rows):
        raise ValidationError({"rows": [_("Every row must have the same fields.")]})
    present = [name for name in COLUMNS if name in fields]
    return [Column(name, name, index) for index, name in enumerate(present)]


def participants_bulk_upsert(
    *, user, municipality: str, rows: list[dict], dry_run: bool = False, source: str = "API"
) -> dict:
    """Managers of one municipality created or updated from rows shaped like the file
    import's, by its validation and applying: every row is saved, or none."""
    target = municipalities_importable_by(user).filter(code=municipality).first()
    if target is None:
        raise Http404
    columns = _columns(rows)
    body = [
        (number, [row.get(column.field) for column in columns])
        for number, row in enumerate(rows, start=1)
    ]
    preview = participants_rows_preview(
        source=source, columns=columns, body=body, municipality=target
    )
    if preview.has_errors:
        raise RowsInvalid(
            [
                {"row": str(row.number), "field": error.column, "message": error.message}
                for row in preview.error_rows
                for error in row.errors
            ]
        )
    counts = preview.counts
    applied = not dry_run and preview.has_work
    if applied:
        participants_import_apply(preview=preview, municipality=target, actor=user)
    ids = dict(
        Participant.objects.filter(municipality=target)
        .annotate(email_lower=Lower("email"))
        .filter(email_lower__in=[row.values["email"] for row in preview.rows])
        .values_list("email_lower", "pk")
    )
    return {
        "applied": applied,
        "created": counts["new"],
        "updated": counts["changed"],
        "unchanged": counts["unchanged"],
        "rows": [
            {
                "row": row.number,
                "status": row.status,
                "id": ids.get(row.values["email"]),
                "errors": [],
            }
            for row in preview.rows
        ],
    }
