"""manage.py build_national_report: the national follow-up as a PDF file."""

import secrets
from datetime import date
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone, translation

from reporting.builders import ReportRefused
from reporting.builders.national import build


class Command(BaseCommand):
    help = (
        "Make the national follow-up (every region's aggregates, through the disclosure "
        "control) as a PDF file."
    )

    def add_arguments(self, parser):
        parser.add_argument("--date", metavar="YYYY-MM-DD", help="data date (default today)")
        parser.add_argument(
            "--language", choices=[code for code, _name in settings.LANGUAGES], default="sv"
        )
        parser.add_argument("--out", metavar="FILE", required=True)

    def handle(self, *args, **options):
        try:
            data_date = (
                date.fromisoformat(options["date"]) if options["date"] else timezone.localdate()
            )
        except ValueError as exc:
            raise CommandError(f"--date must be YYYY-MM-DD, not {options['date']}.") from exc
        out = Path(options["out"])
        if not out.parent.is_dir():
            raise CommandError(f"The folder {out.parent} does not exist.")
        try:
            with translation.override(options["language"]):
                pdf = build(
                    data_date=data_date,
                    reference=f"CLI-{secrets.token_hex(3).upper()}",
                    on_progress=lambda percent: None,
                )
        except ReportRefused as exc:
            raise CommandError(str(exc)) from exc
        out.write_bytes(pdf)
        self.stdout.write(self.style.SUCCESS(f"Wrote {out} ({len(pdf)} bytes)."))
