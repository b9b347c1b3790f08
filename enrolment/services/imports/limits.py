"""What a participant file may cost to read, whatever its content.

A list of managers is small: 5,000 managers with a dozen columns is a large municipality.
The bounds below are far above that and far below what would keep a web worker busy for
more than a few seconds or a few hundred MB. A workbook is measured before openpyxl
reads it, from its zip directory and a byte scan of its parts, because openpyxl reads a
whole row (and every shared string) before the portal sees any of it.
"""

import io
import itertools
import re
import zipfile

from django.utils.translation import gettext as _

MAX_BYTES = 5 * 1024 * 1024
# Managers (filled rows below the header).
MAX_ROWS = 5000
# Rows of the sheet, empty ones included, and columns read from the left; wider sheets are
# exports of something else.
MAX_SHEET_ROWS = 20_000
MAX_COLUMNS = 40
# Cells of a worksheet (empty ones Excel wrote included) and strings of the shared table.
MAX_CELLS = 100_000
MAX_SHARED_STRINGS = 100_000
# Unpacked sizes: each part, a worksheet, the whole workbook, and the number of parts.
MAX_PART_BYTES = 10 * 1024 * 1024
MAX_SHEET_BYTES = 20 * 1024 * 1024
MAX_UNPACKED_BYTES = 40 * 1024 * 1024
MAX_PARTS = 200
# However the file is built, reading stops after this long (a backstop: the bounds above
# keep a file's cost to a few seconds of processor time).
MAX_SECONDS = 15

CELL = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?c[\s/>]")
ROW = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row[\s/>]")
SHARED_STRING = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?si[\s/>]")
# Excel never writes a document type; in an upload it is an entity trick.
DOCTYPE = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)


class FileProblem(Exception):
    """The file as a whole cannot be read; the message says why in the user's words."""


def not_a_workbook() -> FileProblem:
    return FileProblem(
        _("The file could not be read as an Excel workbook (.xlsx). Save it again from Excel.")
    )


def too_much_data() -> FileProblem:
    return FileProblem(
        _(
            "The file holds more than a list of managers (more than %(cells)s cells, "
            "%(rows)s rows or %(mb)s MB unpacked). Copy the list to a new file, or split it."
        )
        % {
            "cells": f"{MAX_CELLS:,}".replace(",", " "),
            "rows": f"{MAX_SHEET_ROWS:,}".replace(",", " "),
            "mb": MAX_UNPACKED_BYTES // (1024 * 1024),
        }
    )


def check_workbook(content: bytes) -> None:
    """Refuse a workbook whose reading would cost more than the bounds allow."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            parts = archive.infolist()
            _check_sizes(parts)
            for part in parts:
                if part.filename.endswith((".xml", ".rels")):
                    _check_part(part.filename, archive.read(part))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        raise not_a_workbook() from exc


def _check_sizes(parts) -> None:
    if len(parts) > MAX_PARTS or sum(part.file_size for part in parts) > MAX_UNPACKED_BYTES:
        raise too_much_data()
    for part in parts:
        limit = MAX_SHEET_BYTES if _is_sheet(part.filename) else MAX_PART_BYTES
        if part.file_size > limit:
            raise too_much_data()


def _is_sheet(name: str) -> bool:
    return name.startswith("xl/worksheets/")


def _check_part(name: str, data: bytes) -> None:
    if DOCTYPE.search(data):
        raise not_a_workbook()
    if _is_sheet(name) and (
        _more_than(CELL, data, MAX_CELLS) or _more_than(ROW, data, MAX_SHEET_ROWS)
    ):
        raise too_much_data()
    if name.endswith("sharedStrings.xml") and _more_than(SHARED_STRING, data, MAX_SHARED_STRINGS):
        raise too_much_data()


def _more_than(pattern, data: bytes, limit: int) -> bool:
    return sum(1 for _match in itertools.islice(pattern.finditer(data), limit + 1)) > limit
