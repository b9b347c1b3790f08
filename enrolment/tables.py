"""Tables of the managers pages: the export, and the audit trail of one manager."""

from dataclasses import dataclass, field
from datetime import datetime

from django.utils.translation import gettext as _

from portal.accounts.models import User
from portal.exports import Table
from programmes.models import Administration, Municipality

from .models import Cohort, Participant
from .progress import ProgrammeStatus

STATUS_LABELS = dict(ProgrammeStatus.choices)


def participants_table(participants) -> Table:
    """Managers annotated by `with_programme_status`, one row each, every matching row."""
    headers = [
        _("First name"),
        _("Last name"),
        _("Work e-mail"),
        _("Employee number"),
        _("Municipality"),
        _("Administration"),
        _("Operational area"),
        _("Position"),
        _("Appointed as manager"),
        _("Left the manager role"),
        _("Courses completed"),
        _("hp"),
        _("Status"),
    ]
    rows = (
        [
            p.first_name,
            p.last_name,
            p.email,
            p.employee_number,
            p.municipality.name,
            p.administration.name if p.administration else "",
            p.get_operational_area_display(),
            p.get_position_display(),
            p.appointed_on,
            p.left_on,
            p.slots_filled,
            p.hp,
            str(STATUS_LABELS[p.programme_status]),
        ]
        for p in participants.iterator(chunk_size=2000)
    )
    return Table(title=_("Managers"), headers=headers, rows=rows)


@dataclass
class FieldChange:
    field: str
    label: str
    old: str
    new: str


@dataclass
class AuditEntry:
    when: datetime
    who: User | None
    kind: str
    changes: list[FieldChange] = field(default_factory=list)


# Related objects are named, not numbered, in the trail; each model is read once.
_RELATED = {
    "municipality": Municipality,
    "administration": Administration,
    "cohort": Cohort,
    "user": User,
}


def _display(field_name, value, names):
    if value in (None, ""):
        return "–"
    if field_name in _RELATED:
        return names.get(field_name, {}).get(value, f"#{value}")
    model_field = Participant._meta.get_field(field_name)
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def audit_trail(participant: Participant) -> list[AuditEntry]:
    """Who changed what and when, newest first, from django-simple-history.

    Each record is compared with the one before it in Python (rather than through
    `prev_record`, which reads the database once per record), and only the related
    objects a change names are read, each model once, so the trail costs the same few
    queries however long it is (one for a manager never changed).
    """
    records = list(
        participant.history.select_related("history_user").order_by("history_date", "history_id")
    )
    deltas = [
        record.diff_against(previous).changes if previous is not None else []
        for previous, record in zip([None, *records], records, strict=False)
    ]
    ids = {name: set() for name in _RELATED}
    for changes in deltas:
        for change in changes:
            if change.field in _RELATED:
                ids[change.field].update(v for v in (change.old, change.new) if v is not None)
    names = {
        name: {
            obj.pk: str(obj) if name == "user" else obj.name
            for obj in _RELATED[name].objects.filter(pk__in=wanted)
        }
        for name, wanted in ids.items()
        if wanted
    }

    kinds = {"+": _("Created"), "~": _("Changed"), "-": _("Deleted")}
    entries = []
    for record, changes in zip(records, deltas, strict=True):
        fields = []
        for change in changes:
            label = str(Participant._meta.get_field(change.field).verbose_name)
            fields.append(
                FieldChange(
                    field=change.field,
                    label=label[:1].upper() + label[1:],
                    old=_display(change.field, change.old, names),
                    new=_display(change.field, change.new, names),
                )
            )
        entries.append(
            AuditEntry(
                when=record.history_date,
                who=record.history_user,
                kind=str(kinds.get(record.history_type, record.history_type)),
                changes=fields,
            )
        )
    entries.reverse()
    return entries
