"""Validating a participant file's rows and comparing them with the stored managers."""

from dataclasses import dataclass, field
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import models
from django.db.models.functions import Lower
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl.utils.datetime import from_excel

from portal.accounts.scope import EDITOR_ROLES, reach, reach_q
from programmes.models import Municipality

from ...models import OperationalArea, Participant, Position
from ..participants import leaving_date_problem
from .reading import REQUIRED, Column, FileProblem, cell_text, match_key, read_table

# Words HR uses for the choices besides their codes and their labels in both languages.
VALUE_SYNONYMS = {
    "operational_area": {
        "individochfamiljeomsorg": OperationalArea.INDIVIDUAL_AND_FAMILY,
        "aldreomsorg": OperationalArea.ELDERLY_CARE,
        "hemtjanst": OperationalArea.ELDERLY_CARE,
        "aldreomsorghemtjanst": OperationalArea.ELDERLY_CARE,
        "funktionsstod": OperationalArea.LSS,
        "lssfunktionsstod": OperationalArea.LSS,
        "psykiatri": OperationalArea.SOCIAL_PSYCHIATRY,
        "hsl": OperationalArea.HEALTH_CARE,
        "halsoochsjukvard": OperationalArea.HEALTH_CARE,
        "annan": OperationalArea.OTHER,
        "ovrigt": OperationalArea.OTHER,
        "ovrig": OperationalArea.OTHER,
    },
    "position": {
        "bitrenhetschef": Position.DEPUTY_UNIT_MANAGER,
        "bitradandechef": Position.DEPUTY_UNIT_MANAGER,
        "annan": Position.OTHER,
        "ovrig": Position.OTHER,
        "ovrigt": Position.OTHER,
    },
}
CHOICES = {"operational_area": OperationalArea, "position": Position}

DATE_FORMATS = (
    "%Y-%m-%d",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M:%S",
    "%Y%m%d",
    "%d/%m/%Y",
    "%d.%m.%Y",
)
# Excel keeps dates as day numbers; a date column that lost its format shows them bare.
EXCEL_SERIAL_RANGE = (18264, 73051)  # 1950-01-01 to 2099-12-31
PLAUSIBLE_YEARS = (1950, 2099)


class RowStatus(models.TextChoices):
    NEW = "new", gettext_lazy("New")
    CHANGED = "changed", gettext_lazy("Changed")
    UNCHANGED = "unchanged", gettext_lazy("Unchanged")
    ERROR = "error", gettext_lazy("Error")


@dataclass
class RowError:
    column: str  # the header as written in the file; empty for the row as a whole
    message: str


@dataclass
class FieldChange:
    column: str
    old: str
    new: str


@dataclass
class PreviewCell:
    column: str
    text: str
    has_error: bool = False


@dataclass
class PreviewRow:
    number: int
    cells: list[PreviewCell]
    values: dict = field(default_factory=dict)
    participant_id: int | None = None
    status: RowStatus = RowStatus.NEW
    changes: list[FieldChange] = field(default_factory=list)
    updates: dict = field(default_factory=dict)
    errors: list[RowError] = field(default_factory=list)

    def error(self, column: str, message: str):
        self.errors.append(RowError(column, message))
        for cell in self.cells:
            if cell.column == column:
                cell.has_error = True


@dataclass
class ImportPreview:
    file_name: str
    municipality_id: int | None
    columns: list[Column] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    rows: list[PreviewRow] = field(default_factory=list)
    file_errors: list[str] = field(default_factory=list)

    @property
    def has_errors(self) -> bool:
        return bool(self.file_errors) or any(row.errors for row in self.rows)

    @property
    def counts(self) -> dict[str, int]:
        counts = {status.value: 0 for status in RowStatus}
        for row in self.rows:
            counts[row.status.value] += 1
        return counts

    @property
    def error_rows(self) -> list[PreviewRow]:
        return [row for row in self.rows if row.errors]

    @property
    def has_work(self) -> bool:
        return any(row.status in (RowStatus.NEW, RowStatus.CHANGED) for row in self.rows)


def municipalities_importable_by(user):
    """Municipalities a user may import managers into: those whose every manager they may
    edit. An HR administrator of one administration reaches only part of a municipality,
    and a file speaks for the whole municipality, so that reach does not count here."""
    r = reach(user, EDITOR_ROLES)
    return Municipality.objects.filter(reach_q(r, region="region_id", municipality="id"))


# Reading one row ------------------------------------------------------------------------


def _choice_lookup(name) -> dict[str, str]:
    choices = CHOICES[name]
    lookup = dict(VALUE_SYNONYMS[name])
    for value, label in choices.choices:
        lookup[match_key(value)] = value
        for language in ("sv", "en"):
            with translation.override(language):
                lookup[match_key(label)] = value
    return lookup


def _date(value) -> date:
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        value = value.isoformat()
    if isinstance(value, int | float) and not isinstance(value, bool):
        if EXCEL_SERIAL_RANGE[0] <= value <= EXCEL_SERIAL_RANGE[1]:
            return from_excel(value).date()
        value = cell_text(value)
    text = cell_text(value)
    for pattern in DATE_FORMATS:
        try:
            parsed = datetime.strptime(text, pattern).date()
        except ValueError:
            continue
        # A year like 0224 or 2204 is a typing error, not a manager's date.
        if not PLAUSIBLE_YEARS[0] <= parsed.year <= PLAUSIBLE_YEARS[1]:
            break
        return parsed
    raise ValueError(text)


@dataclass
class _Context:
    municipality: Municipality
    administrations: dict[str, object]
    choices: dict[str, dict[str, str]]


def _clean(row: PreviewRow, raw: dict[str, object], columns: dict[str, Column], ctx: _Context):
    """Fill `row.values` with the row's fields, or record why a cell cannot be used."""
    max_lengths = {
        name: Participant._meta.get_field(name).max_length
        for name in ("first_name", "last_name", "email", "employee_number")
    }
    for name, column in columns.items():
        value = raw.get(name)
        text = cell_text(value)
        header = column.header
        if name in REQUIRED and not text:
            row.error(header, _("is empty; it is required"))
            continue
        if name in max_lengths and len(text) > max_lengths[name]:
            row.error(
                header,
                _("is longer than %(limit)s characters") % {"limit": max_lengths[name]},
            )
            continue
        if name == "email":
            text = text.lower()
            try:
                validate_email(text)
            except ValidationError:
                row.error(header, _("is not a valid e-mail address"))
                continue
            row.values[name] = text
        elif name == "administration":
            if not text:
                row.values[name] = None
            elif match_key(text) in ctx.administrations:
                row.values[name] = ctx.administrations[match_key(text)]
            else:
                row.error(
                    header,
                    _("“%(name)s” is not an administration of %(municipality)s")
                    % {"name": text, "municipality": ctx.municipality.name},
                )
        elif name in CHOICES:
            if not text:
                row.values[name] = ""
            elif match_key(text) in ctx.choices[name]:
                row.values[name] = ctx.choices[name][match_key(text)]
            else:
                row.error(
                    header,
                    _("“%(value)s” is not one of: %(allowed)s")
                    % {
                        "value": text,
                        "allowed": ", ".join(str(label) for _v, label in CHOICES[name].choices),
                    },
                )
        elif name in ("appointed_on", "left_on"):
            if not text:
                row.values[name] = None
                continue
            try:
                row.values[name] = _date(value)
            except (ValueError, OverflowError):
                row.error(
                    header,
                    _("“%(value)s” is not a date; write it as 2024-03-01") % {"value": text},
                )
        else:
            row.values[name] = text


def _show_as_stored(row: PreviewRow, columns: list[Column]):
    """The preview shows each usable cell as it will be stored (the e-mail in lower case,
    a date as 2024-03-01, a choice by its label), and a cell in error as it was written."""
    for cell, column in zip(row.cells, columns, strict=True):
        if cell.has_error or column.field not in row.values:
            continue
        value = row.values[column.field]
        cell.text = "" if value is None or value == "" else _display(column.field, value)


# Comparing with what is stored -----------------------------------------------------------


def _display(name, value) -> str:
    if value is None or value == "":
        return "–"
    if name in CHOICES:
        return str(CHOICES[name](value).label)
    if name == "administration":
        return value.name
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _same(name, old, new) -> bool:
    if name == "administration":
        return getattr(old, "pk", None) == getattr(new, "pk", None)
    if name == "email":
        return (old or "").lower() == (new or "").lower()
    return (old or None) == (new or None)


def _match(row: PreviewRow, columns, by_email, by_number, taken_elsewhere):
    """Find the stored manager the row speaks of, and what would change."""
    headers = {name: column.header for name, column in columns.items()}
    email = row.values.get("email")
    number = row.values.get("employee_number") or ""
    if email and email in taken_elsewhere:
        row.error(headers["email"], _("is already in use and cannot be imported here"))
        return
    by_mail = by_email.get(email) if email else None
    by_num = by_number.get(number) if number else None
    if by_mail and by_num and by_mail.pk != by_num.pk:
        row.error(
            headers["employee_number"],
            _("belongs to another manager than the e-mail address does; correct one of them"),
        )
        return
    participant = by_mail or by_num
    if participant is None:
        row.status = RowStatus.NEW
        return
    row.participant_id = participant.pk
    if _dates_out_of_order(
        row,
        headers,
        row.values.get("appointed_on", participant.appointed_on),
        row.values.get("left_on", participant.left_on),
    ):
        return
    for name, new in row.values.items():
        old = getattr(participant, name)
        if not _same(name, old, new):
            row.updates[name] = new
            row.changes.append(FieldChange(headers[name], _display(name, old), _display(name, new)))
    row.status = RowStatus.CHANGED if row.updates else RowStatus.UNCHANGED


def _dates_out_of_order(row: PreviewRow, headers, appointed, left) -> bool:
    """The leaving date checked by the same rule, with the same words, as the form."""
    if left is None:
        return False
    if "left_on" in headers:
        problem = leaving_date_problem(Participant(appointed_on=appointed), left)
        if problem:
            row.error(headers["left_on"], problem)
        return bool(problem)
    if not (appointed and left < appointed):
        return False
    row.error(headers["appointed_on"], _("is after the date they left the manager role"))
    return True


def _mark_duplicates(rows: list[PreviewRow], key, column: str | None):
    groups: dict[object, list[PreviewRow]] = {}
    for row in rows:
        value = key(row)
        if value:
            groups.setdefault(value, []).append(row)
    for group in groups.values():
        if len(group) < 2:
            continue
        for row in group:
            others = ", ".join(str(other.number) for other in group if other is not row)
            if column is None:
                message = _("speaks of the same manager as row %(rows)s") % {"rows": others}
            else:
                message = _("is the same as on row %(rows)s") % {"rows": others}
            row.error(column or "", message)


# The service ----------------------------------------------------------------------------


def participants_import_preview(
    *, file_name: str, content: bytes, municipality: Municipality
) -> ImportPreview:
    """Every row of the file, validated and compared with the stored managers. Writes
    nothing. Runs a fixed number of queries whatever the number of rows."""
    try:
        columns, ignored, body = read_table(file_name, content)
    except FileProblem as problem:
        preview = ImportPreview(file_name=file_name, municipality_id=municipality.pk)
        preview.file_errors.append(str(problem))
        return preview
    preview = participants_rows_preview(
        source=file_name, columns=columns, body=body, municipality=municipality
    )
    preview.ignored_columns = ignored
    return preview


def participants_rows_preview(
    *, source: str, columns: list[Column], body: list[tuple[int, list]], municipality
) -> ImportPreview:
    """Rows already split into cells (numbered, under `columns`), validated and compared
    with the stored managers, as the rows of a file are. Writes nothing."""
    preview = ImportPreview(file_name=source, municipality_id=municipality.pk, columns=columns)
    columns = {column.field: column for column in preview.columns}
    ctx = _Context(
        municipality=municipality,
        administrations={match_key(a.name): a for a in municipality.administrations.all()},
        choices={name: _choice_lookup(name) for name in CHOICES},
    )
    for number, values in body:
        raw = {
            c.field: values[c.index] if c.index < len(values) else None for c in columns.values()
        }
        cells = [PreviewCell(c.header, cell_text(raw[c.field])) for c in preview.columns]
        row = PreviewRow(number=number, cells=cells)
        _clean(row, raw, columns, ctx)
        _show_as_stored(row, preview.columns)
        preview.rows.append(row)

    headers = {name: column.header for name, column in columns.items()}
    _mark_duplicates(preview.rows, lambda r: r.values.get("email"), headers["email"])
    if "employee_number" in headers:
        _mark_duplicates(
            preview.rows, lambda r: r.values.get("employee_number"), headers["employee_number"]
        )

    stored = list(
        Participant.objects.filter(municipality=municipality).select_related("administration")
    )
    by_email = {p.email.lower(): p for p in stored}
    by_number = {p.employee_number: p for p in stored if p.employee_number}
    emails = {r.values["email"] for r in preview.rows if r.values.get("email")}
    taken_elsewhere = set(
        Participant.objects.exclude(municipality=municipality)
        .annotate(email_lower=Lower("email"))
        .filter(email_lower__in=emails)
        .values_list("email_lower", flat=True)
    )
    for row in preview.rows:
        if not row.errors:
            _match(row, columns, by_email, by_number, taken_elsewhere)
    _mark_duplicates(
        [r for r in preview.rows if not r.errors], lambda r: r.participant_id, column=None
    )
    for row in preview.rows:
        if not row.errors and row.status == RowStatus.NEW:
            _dates_out_of_order(
                row, headers, row.values.get("appointed_on"), row.values.get("left_on")
            )
        if row.errors:
            row.status = RowStatus.ERROR
            row.changes, row.updates = [], {}
    return preview
