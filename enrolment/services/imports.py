"""Participant files from HR: read, validated as a whole, applied all-or-nothing.

The file is what HR's systems export and Excel saves in Sweden:

- CSV separated by semicolons (also tabs, or commas when the header leaves no doubt),
  encoded as UTF-8 with or without BOM, UTF-16 with BOM, or Windows-1252;
- XLSX, of which the first worksheet is read.

The first non-empty row holds the column names, matched whatever their case, spacing,
hyphens or accents (`E-post`, `epost`, `E-postadress` are one column). Förnamn, Efternamn
and E-post are required; the other columns are optional. A column that is in the file
sets its field (an empty cell empties it); a column that is not in the file leaves the
field as it is.

Dates are read as 2024-03-01 (also with a time, as Excel writes it: 2024-03-01 00:00:00),
20240301, 1/3/2024 and 1.3.2024 (day first, as in Sweden), or as date cells in XLSX.

Rows are numbered as the spreadsheet shows them: the header is usually row 1, so the
first manager is on row 2.
"""

import csv
import io
import unicodedata
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, models, transaction
from django.db.models.functions import Lower
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import load_workbook
from openpyxl.utils.datetime import from_excel
from simple_history.utils import bulk_create_with_history

from portal.accounts.scope import EDITOR_ROLES, reach, reach_q
from programmes.models import Municipality

from ..models import OperationalArea, Participant, Position

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5000
# Wider sheets are exports of something else; reading them costs time for nothing.
MAX_COLUMNS = 60
# A workbook that unpacks to more than this is not a list of managers (or is a zip bomb).
MAX_UNPACKED_BYTES = 100 * 1024 * 1024
# The column names are looked for in this many rows at the top of the file.
HEADER_SEARCH_ROWS = 10

# The column names of the file format. They are part of the format (HR's exports and our
# template are in Swedish), so they are not translated.
COLUMNS = {
    "first_name": "Förnamn",
    "last_name": "Efternamn",
    "email": "E-post",
    "employee_number": "Anställningsnummer",
    "administration": "Förvaltning",
    "operational_area": "Verksamhetsområde",
    "position": "Befattning",
    "appointed_on": "Chef sedan",
    "left_on": "Slutat",
}
REQUIRED = ("first_name", "last_name", "email")

# Other names HR systems give the same columns, written as `_key()` leaves them.
HEADER_SYNONYMS = {
    "first_name": {"fornamn", "tilltalsnamn", "firstname", "givenname"},
    "last_name": {"efternamn", "lastname", "surname", "familyname"},
    "email": {
        "epost",
        "epostadress",
        "arbetsepost",
        "epostarbete",
        "mejl",
        "mejladress",
        "mail",
        "email",
        "emailaddress",
        "workemail",
    },
    "employee_number": {
        "anstallningsnummer",
        "anstallningsnr",
        "anstnr",
        "personalnummer",
        "personalnr",
        "employeenumber",
        "employeeid",
    },
    "administration": {"forvaltning", "administration"},
    "operational_area": {"verksamhetsomrade", "verksamhet", "operationalarea"},
    "position": {"befattning", "befattningstitel", "titel", "position"},
    "appointed_on": {
        "chefsedan",
        "cheffran",
        "cheffrom",
        "tilltradde",
        "tilltradesdatum",
        "tilltraddesomchef",
        "appointedon",
        "appointedasmanager",
    },
    "left_on": {
        "slutat",
        "slutatsomchef",
        "slutadesomchef",
        "slutdatum",
        "avslutad",
        "lefton",
        "leftthemanagerrole",
    },
}

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

XLSX_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the old binary .xls


class RowStatus(models.TextChoices):
    NEW = "new", gettext_lazy("New")
    CHANGED = "changed", gettext_lazy("Changed")
    UNCHANGED = "unchanged", gettext_lazy("Unchanged")
    ERROR = "error", gettext_lazy("Error")


@dataclass
class Column:
    field: str
    header: str  # as written in the file, so that messages name what the user sees
    index: int


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


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


class _FileProblem(Exception):
    """The file as a whole cannot be read; the message says why in the user's words."""


def municipalities_importable_by(user):
    """Municipalities a user may import managers into: those whose every manager they may
    edit. An HR administrator of one administration reaches only part of a municipality,
    and a file speaks for the whole municipality, so that reach does not count here."""
    r = reach(user, EDITOR_ROLES)
    return Municipality.objects.filter(reach_q(r, region="region_id", municipality="id"))


# Reading the file ------------------------------------------------------------------------


def _key(text) -> str:
    """Text reduced for matching: no case, accents, spaces or punctuation."""
    text = unicodedata.normalize("NFKD", str(text)).casefold()
    return "".join(ch for ch in text if ch.isalnum())


def _header_field(header: str) -> str | None:
    key = _key(header)
    for name, synonyms in HEADER_SYNONYMS.items():
        if key in synonyms or key == _key(COLUMNS[name]):
            return name
    return None


def _decode(content: bytes) -> str:
    if content.startswith(b"\xef\xbb\xbf"):
        encodings = ("utf-8-sig",)
    elif content.startswith((b"\xff\xfe", b"\xfe\xff")):
        encodings = ("utf-16",)
    else:
        # Windows-1252 decodes almost any bytes, so it is tried only when UTF-8 fails.
        encodings = ("utf-8", "cp1252")
    for encoding in encodings:
        try:
            text = content.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" in text:
            break
        return text
    raise _FileProblem(
        _(
            "The file is not readable text. Save it from Excel as “CSV UTF-8” or as an "
            "Excel workbook (.xlsx)."
        )
    )


def _csv_rows(content: bytes) -> list[tuple[int, list]]:
    text = _decode(content)
    first_lines = [line for line in text.splitlines()[: HEADER_SEARCH_ROWS * 2] if line.strip()]

    def recognised(delimiter):
        return max(
            (
                sum(_header_field(cell) is not None for cell in cells)
                for cells in csv.reader(first_lines[:HEADER_SEARCH_ROWS], delimiter=delimiter)
            ),
            default=0,
        )

    # Semicolons win a tie: it is what Excel writes in Sweden.
    delimiter = max((";", "\t", ","), key=recognised)
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        return [(number, row) for number, row in enumerate(reader, start=1)]
    except csv.Error as exc:
        raise _FileProblem(
            _(
                "The CSV file could not be read. Save it again from Excel as “CSV UTF-8” or "
                "as an Excel workbook (.xlsx)."
            )
        ) from exc


def _xlsx_rows(content: bytes) -> list[tuple[int, list]]:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise _FileProblem(
            _("The file could not be read as an Excel workbook (.xlsx). Save it again from Excel.")
        ) from exc
    if unpacked > MAX_UNPACKED_BYTES:
        raise _FileProblem(_("The workbook holds too much data. Split it into smaller files."))
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as exc:
        raise _FileProblem(
            _("The file could not be read as an Excel workbook (.xlsx). Save it again from Excel.")
        ) from exc
    try:
        if not workbook.worksheets:
            return []
        rows, filled = [], 0
        values_by_row = workbook.worksheets[0].iter_rows(values_only=True, max_col=MAX_COLUMNS)
        for number, values in enumerate(values_by_row, start=1):
            if not _filled(values):
                continue
            rows.append((number, list(values)))
            filled += 1
            # The header and one row more than allowed are enough to refuse the file.
            if filled > MAX_ROWS + 1:
                break
        return rows
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as exc:
        raise _FileProblem(
            _("The file could not be read as an Excel workbook (.xlsx). Save it again from Excel.")
        ) from exc
    finally:
        workbook.close()


def _filled(values) -> bool:
    return any(_text(v) for v in values)


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        if value.time() == datetime.min.time():
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return " ".join(str(value).split())


def _read(file_name: str, content: bytes) -> list[tuple[int, list]]:
    if len(content) > MAX_BYTES:
        raise _FileProblem(
            _("The file is larger than %(limit)s MB. Split it into smaller files.")
            % {"limit": MAX_BYTES // (1024 * 1024)}
        )
    if not content.strip(b"\xef\xbb\xbf\xff\xfe \t\r\n\x00"):
        raise _FileProblem(_("The file is empty."))
    suffix = PurePath(file_name or "").suffix.lower()
    if content.startswith(XLSX_MAGIC):
        return _xlsx_rows(content)
    if content.startswith(OLE_MAGIC):
        raise _FileProblem(
            _("Files in the old Excel format (.xls) cannot be read. Save it as .xlsx or CSV.")
        )
    if suffix in (".xlsx", ".xlsm"):
        raise _FileProblem(
            _(
                "The file is named .xlsx but is not an Excel workbook. Save it again from Excel "
                "as an Excel workbook or as CSV."
            )
        )
    if suffix not in ("", ".csv", ".txt", ".tsv"):
        raise _FileProblem(_("Upload a CSV file or an Excel workbook (.xlsx)."))
    return _csv_rows(content)


def _header_index(records) -> int:
    """Where the column names are: exports often put a title or a date above them."""
    for index, (_number, values) in enumerate(records[:HEADER_SEARCH_ROWS]):
        fields = {_header_field(_text(value)) for value in values if _text(value)}
        if fields.issuperset(REQUIRED):
            return index
    return 0


def _columns(header: list) -> tuple[list[Column], list[str]]:
    columns, ignored, seen = [], [], {}
    for index, value in enumerate(header):
        text = _text(value)
        if not text:
            continue
        name = _header_field(text)
        if name is None:
            ignored.append(text)
            continue
        if name in seen:
            raise _FileProblem(
                _("The columns “%(first)s” and “%(second)s” both hold %(column)s.")
                % {"first": seen[name], "second": text, "column": COLUMNS[name]}
            )
        seen[name] = text
        columns.append(Column(name, text, index))
    missing = [COLUMNS[name] for name in REQUIRED if name not in seen]
    if missing:
        raise _FileProblem(
            _("The file lacks the required columns: %(columns)s. The first row must name them.")
            % {"columns": ", ".join(missing)}
        )
    return columns, ignored


# Reading one row ------------------------------------------------------------------------


def _choice_lookup(name) -> dict[str, str]:
    choices = CHOICES[name]
    lookup = dict(VALUE_SYNONYMS[name])
    for value, label in choices.choices:
        lookup[_key(value)] = value
        for language in ("sv", "en"):
            with translation.override(language):
                lookup[_key(label)] = value
    return lookup


def _date(value) -> date:
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        value = value.isoformat()
    if isinstance(value, int | float) and not isinstance(value, bool):
        if EXCEL_SERIAL_RANGE[0] <= value <= EXCEL_SERIAL_RANGE[1]:
            return from_excel(value).date()
        value = _text(value)
    text = _text(value)
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
        text = _text(value)
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
            elif _key(text) in ctx.administrations:
                row.values[name] = ctx.administrations[_key(text)]
            else:
                row.error(
                    header,
                    _("“%(name)s” is not an administration of %(municipality)s")
                    % {"name": text, "municipality": ctx.municipality.name},
                )
        elif name in CHOICES:
            if not text:
                row.values[name] = ""
            elif _key(text) in ctx.choices[name]:
                row.values[name] = ctx.choices[name][_key(text)]
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
    if not (appointed and left and left < appointed):
        return False
    if "left_on" in headers:
        row.error(headers["left_on"], _("is before the date they became a manager"))
    else:
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
    preview = ImportPreview(file_name=file_name, municipality_id=municipality.pk)
    try:
        records = [(n, values) for n, values in _read(file_name, content) if _filled(values)]
        if not records:
            raise _FileProblem(_("The file is empty."))
        start = _header_index(records)
        header = records[start][1]
        body = records[start + 1 :]
        if len(body) > MAX_ROWS:
            raise _FileProblem(
                _("The file has more than %(limit)s rows. Split it into smaller files.")
                % {"limit": MAX_ROWS}
            )
        if not body:
            raise _FileProblem(_("The file has column names but no managers."))
        preview.columns, preview.ignored_columns = _columns(header)
    except _FileProblem as problem:
        preview.file_errors.append(str(problem))
        return preview

    columns = {column.field: column for column in preview.columns}
    ctx = _Context(
        municipality=municipality,
        administrations={_key(a.name): a for a in municipality.administrations.all()},
        choices={name: _choice_lookup(name) for name in CHOICES},
    )
    for number, values in body:
        raw = {
            c.field: values[c.index] if c.index < len(values) else None for c in columns.values()
        }
        cells = [PreviewCell(c.header, _text(raw[c.field])) for c in preview.columns]
        row = PreviewRow(number=number, cells=cells)
        _clean(row, raw, columns, ctx)
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
