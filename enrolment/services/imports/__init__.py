"""Participant files from HR: read, validated as a whole, applied all-or-nothing.

- `reading`: the file's bytes to rows of cells and its columns, within fixed bounds;
- `validation`: each row checked and compared with the stored managers (the preview);
- `applying`: a checked preview written, all or none of it.
"""

from .applying import ImportResult, participants_import_apply
from .reading import COLUMNS, MAX_BYTES, MAX_ROWS
from .validation import (
    ImportPreview,
    PreviewRow,
    RowStatus,
    municipalities_importable_by,
    participants_import_preview,
)

__all__ = [
    "COLUMNS",
    "MAX_BYTES",
    "MAX_ROWS",
    "ImportPreview",
    "ImportResult",
    "PreviewRow",
    "RowStatus",
    "municipalities_importable_by",
    "participants_import_apply",
    "participants_import_preview",
]
