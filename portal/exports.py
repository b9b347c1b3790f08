"""Tables as files: CSV as Swedish Excel opens it (semicolons, UTF-8 with BOM) and XLSX.

A view builds a `Table` (headers and rows of plain values) from the same selector and
filters as the page, so a download never holds more than the screen would.
"""

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.http import HttpResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

FORMATS = ("csv", "xlsx")


@dataclass
class Table:
    title: str
    headers: Sequence[str]
    rows: Iterable[Sequence]


def _csv_value(value):
    if value is None:
        return ""
    if isinstance(value, Decimal | float):
        return f"{value:g}".replace(".", ",")
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    value = str(value)
    # A cell that starts like a formula is run by Excel: keep it text (CSV injection).
    if value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def _xlsx_value(value):
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, datetime):
        return timezone.localtime(value).replace(tzinfo=None)
    if value is None or isinstance(value, int | float | date):
        return value
    return _csv_value(value)


def table_csv(table: Table) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([str(h) for h in table.headers])
    for row in table.rows:
        writer.writerow([_csv_value(v) for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def table_xlsx(table: Table) -> bytes:
    workbook = Workbook(write_only=False)
    sheet = workbook.active
    sheet.title = str(table.title)[:31] or "Data"
    sheet.append([str(h) for h in table.headers])
    for row in table.rows:
        sheet.append([_xlsx_value(v) for v in row])
    for index, header in enumerate(table.headers, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = max(12, len(str(header)) + 2)
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def table_response(table: Table, file_format: str, filename: str) -> HttpResponse:
    """The table as a download; `file_format` must be one of FORMATS (checked by the URL)."""
    if file_format == "xlsx":
        content = table_xlsx(table)
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        content = table_csv(table)
        content_type = "text/csv; charset=utf-8"
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}.{file_format}"'
    return response
