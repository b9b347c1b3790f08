from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from programmes.models import Municipality

from ...services.imports import (
    MAX_BYTES,
    participants_import_apply,
    participants_import_preview,
)


class Command(BaseCommand):
    help = (
        "Import managers from HR's file (CSV or XLSX) into a municipality. The file is "
        "checked as a whole; with any error nothing is written."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="the participant file, .csv or .xlsx")
        parser.add_argument(
            "--municipality", required=True, metavar="KOMMUNKOD", help="four-digit kommunkod"
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="check and show the file, write nothing"
        )

    def handle(self, *args, file, municipality, dry_run, **options):
        target = Municipality.objects.filter(code=municipality.strip()).first()
        if target is None:
            raise CommandError(_("No municipality has the code %(code)s.") % {"code": municipality})
        path = Path(file)
        if not path.is_file():
            raise CommandError(_("There is no file at %(path)s.") % {"path": path})
        with path.open("rb") as handle:
            # One byte past the limit is enough for the service to refuse the file.
            content = handle.read(MAX_BYTES + 1)

        preview = participants_import_preview(
            file_name=path.name, content=content, municipality=target
        )
        if preview.file_errors:
            raise CommandError(" ".join(preview.file_errors))
        counts = preview.counts
        self.stdout.write(
            _(
                "%(file)s for %(municipality)s: %(new)s new, %(changed)s changed, "
                "%(unchanged)s unchanged, %(error)s with errors."
            )
            % {"file": path.name, "municipality": target.name, **counts}
        )
        if preview.ignored_columns:
            self.stdout.write(
                _("Columns not used: %(columns)s") % {"columns": ", ".join(preview.ignored_columns)}
            )
        for row in preview.rows:
            for change in row.changes:
                self.stdout.write(
                    _("Row %(row)s: %(column)s: %(old)s → %(new)s")
                    % {
                        "row": row.number,
                        "column": change.column,
                        "old": change.old,
                        "new": change.new,
                    }
                )
        for row in preview.error_rows:
            for error in row.errors:
                self.stderr.write(
                    _("Row %(row)s, column “%(column)s”: %(message)s")
                    % {"row": row.number, "column": error.column, "message": error.message}
                    if error.column
                    else _("Row %(row)s: %(message)s")
                    % {"row": row.number, "message": error.message}
                )
        if preview.has_errors:
            raise CommandError(
                _("%(count)s rows have errors; nothing was written.") % {"count": counts["error"]}
            )
        if dry_run:
            self.stdout.write(_("Dry run: nothing was written."))
            return
        try:
            result = participants_import_apply(preview=preview, municipality=target, actor=None)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                _("Imported: %(created)s new, %(updated)s updated, %(unchanged)s unchanged.")
                % {
                    "created": result.created,
                    "updated": result.updated,
                    "unchanged": result.unchanged,
                }
            )
        )
