"""Reading a participant file into rows of cells, and finding its column names.

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
import itertools
import time
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import PurePath

from django.utils.translation import gettext as _
from openpyxl import load_workbook

from .limits import (
    MAX_BYTES,
    MAX_CELLS,
    MAX_COLUMNS,
    MAX_ROWS,
    MAX_SECONDS,
    MAX_SHEET_ROWS,
    FileProblem,
    check_workbook,
    not_a_workbook,
    too_much_data,
)

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

# Other names HR systems give the same columns, written as `match_key()` leaves them.
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
        # The managers list's export ("E-postadress i tjänsten") imports back as it is.
        "epostadressitjansten",
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
        "lamnadechefsrollen",
    },
}


# A quote before what would start a formula: how portal.exports keeps such a text a text.
FORMULA_ESCAPES = {"'=", "'+", "'-", "'@"}

XLSX_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the old binary .xls


@dataclass
class Column:
    field: str
    header: str  # as written in the file, so that messages name what the user sees
    index: int


def match_key(text) -> str:
    """Text reduced for matching: no case, accents, spaces or punctuation."""
    text = unicodedata.normalize("NFKD", str(text)).casefold()
    return "".join(ch for ch in text if ch.isalnum())


def _header_field(header: str) -> str | None:
    key = match_key(header)
    for name, synonyms in HEADER_SYNONYMS.items():
        if key in synonyms or key == match_key(COLUMNS[name]):
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
    raise FileProblem(
        _(
            "The file is not readable text. Save it from Excel as “CSV UTF-8” or as an "
            "Excel workbook (.xlsx)."
        )
    )


def _csv_rows(content: bytes) -> list[tuple[int, list]]:
    text = _decode(content)
    try:
        delimiter = _delimiter(text)
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        return _bounded(enumerate(reader, start=1))
    except csv.Error as exc:
        raise FileProblem(
            _(
                "The CSV file could not be read. Save it again from Excel as “CSV UTF-8” or "
                "as an Excel workbook (.xlsx)."
            )
        ) from exc


def _delimiter(text: str) -> str:
    """The separator that makes the most column names of the first rows recognisable."""
    top = itertools.islice(io.StringIO(text, newline=""), HEADER_SEARCH_ROWS * 2)
    first_lines = [line for line in top if line.strip()][:HEADER_SEARCH_ROWS]

    def recognised(delimiter):
        return max(
            (
                sum(_header_field(cell) is not None for cell in cells[:MAX_COLUMNS])
                for cells in csv.reader(first_lines, delimiter=delimiter)
            ),
            default=0,
        )

    # Semicolons win a tie: it is what Excel writes in Sweden.
    return max((";", "\t", ","), key=recognised)


def _bounded(numbered_rows) -> list[tuple[int, list]]:
    """The filled rows, read no further than the bounds (limits.py) allow: the header and
    one manager more than allowed are enough to refuse the file."""
    rows, cells = [], 0
    deadline = time.monotonic() + MAX_SECONDS
    for number, values in numbered_rows:
        if number > MAX_SHEET_ROWS or time.monotonic() > deadline:
            raise too_much_data()
        values = list(values[:MAX_COLUMNS])
        cells += sum(value not in (None, "") for value in values)
        if cells > MAX_CELLS:
            raise too_much_data()
        if not is_filled(values):
            continue
        rows.append((number, values))
        if len(rows) > MAX_ROWS + 1:
            break
    return rows


def _xlsx_rows(content: bytes) -> list[tuple[int, list]]:
    check_workbook(content)
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl fails in many ways on a broken or hostile file
        raise not_a_workbook() from exc
    try:
        if not workbook.worksheets:
            return []
        sheet = workbook.worksheets[0]
        return _bounded(enumerate(sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS), 1))
    except FileProblem:
        raise
    except Exception as exc:
        raise not_a_workbook() from exc
    finally:
        workbook.close()


def is_filled(values) -> bool:
    return any(cell_text(v) for v in values)


def cell_text(value) -> str:
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
    text = " ".join(str(value).split())
    # Our exports write a text that starts like a formula as '=…, so that Excel keeps it
    # text (portal.exports); such a cell reads back as the text itself.
    if text[:2] in FORMULA_ESCAPES:
        return text[1:]
    return text


def read_rows(file_name: str, content: bytes) -> list[tuple[int, list]]:
    if len(content) > MAX_BYTES:
        raise FileProblem(
            _("The file is larger than %(limit)s MB. Split it into smaller files.")
            % {"limit": MAX_BYTES // (1024 * 1024)}
        )
    if not content.strip(b"\xef\xbb\xbf\xff\xfe \t\r\n\x00"):
        raise FileProblem(_("The file is empty."))
    suffix = PurePath(file_name or "").suffix.lower()
    if content.startswith(XLSX_MAGIC):
        return _xlsx_rows(content)
    if content.startswith(OLE_MAGIC):
        raise FileProblem(
            _("Files in the old Excel format (.xls) cannot be read. Save it as .xlsx or CSV.")
        )
    if suffix in (".xlsx", ".xlsm"):
        raise FileProblem(
            _(
                "The file is named .xlsx but is not an Excel workbook. Save it again from Excel "
                "as an Excel workbook or as CSV."
            )
        )
    if suffix not in ("", ".csv", ".txt", ".tsv"):
        raise FileProblem(_("Upload a CSV file or an Excel workbook (.xlsx)."))
    return _csv_rows(content)


def _header_index(records) -> int:
    """Where the column names are: exports often put a title or a date above them."""
    for index, (_number, values) in enumerate(records[:HEADER_SEARCH_ROWS]):
        fields = {_header_field(cell_text(value)) for value in values if cell_text(value)}
        if fields.issuperset(REQUIRED):
            return index
    return 0


def _columns(header: list) -> tuple[list[Column], list[str]]:
    columns, ignored, seen = [], [], {}
    for index, value in enumerate(header):
        text = cell_text(value)
        if not text:
            continue
        name = _header_field(text)
        if name is None:
            ignored.append(text)
            continue
        if name in seen:
            raise FileProblem(
                _("The columns “%(first)s” and “%(second)s” both hold %(column)s.")
                % {"first": seen[name], "second": text, "column": COLUMNS[name]}
            )
        seen[name] = text
        columns.append(Column(name, text, index))
    missing = [COLUMNS[name] for name in REQUIRED if name not in seen]
    if missing:
        raise FileProblem(
            _("The file lacks the required columns: %(columns)s. The first row must name them.")
            % {"columns": ", ".join(missing)}
        )
    return columns, ignored


def read_table(file_name: str, content: bytes):
    """The file's columns, the header cells not used and the rows below the header.
    Raises FileProblem when the file as a whole cannot be used."""
    records = [(n, values) for n, values in read_rows(file_name, content) if is_filled(values)]
    if not records:
        raise FileProblem(_("The file is empty."))
    start = _header_index(records)
    header = records[start][1]
    body = records[start + 1 :]
    if len(body) > MAX_ROWS:
        raise FileProblem(
            _("The file has more than %(limit)s rows. Split it into smaller files.")
            % {"limit": MAX_ROWS}
        )
    if not body:
        raise FileProblem(_("The file has column names but no managers."))
    columns, ignored = _columns(header)
    return columns, ignored, body
