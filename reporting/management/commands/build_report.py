"""manage.py build_report: the same PDF as the workers make, written to a file."""

import secrets
from datetime import date
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from enrolment.models import Participant
from programmes.models import Administration, Municipality, Region

from ...builders import ReportRefused, build_pdf
from ...models import ReportKind, ReportScope
from ...services.certificates import certificate_issue


class Command(BaseCommand):
    help = (
        "Make a report as a PDF file without a worker: progress (--municipality or "
        "--administration), compliance (--municipality), regional (--region, or the only "
        "region) or certificate (--participant)."
    )

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=ReportKind.values)
        parser.add_argument("--municipality", metavar="KOD", help="municipality code, e.g. 2081")
        parser.add_argument("--administration", metavar="ID", type=int)
        parser.add_argument("--region", metavar="LÄNSKOD", help="county code, e.g. 20")
        parser.add_argument("--participant", metavar="ID", type=int)
        parser.add_argument("--date", metavar="YYYY-MM-DD", help="data date (default today)")
        parser.add_argument(
            "--language", choices=[code for code, _name in settings.LANGUAGES], default="sv"
        )
        parser.add_argument("--out", metavar="FILE", required=True)

    def handle(self, *args, kind, **options):
        data_date = self._date(options["date"])
        scope = self._scope(kind, options)
        out = Path(options["out"])
        if not out.parent.is_dir():
            raise CommandError(f"The folder {out.parent} does not exist.")
        if kind == ReportKind.CERTIFICATE:
            try:
                certificate_issue(participant=scope.participant, on=timezone.localdate())
            except ValidationError as exc:
                raise CommandError(exc.messages[0]) from exc
        reference = f"CLI-{secrets.token_hex(3).upper()}"
        try:
            pdf = build_pdf(
                kind=kind,
                scope=scope,
                data_date=data_date,
                language=options["language"],
                reference=reference,
            )
        except ReportRefused as exc:
            raise CommandError(str(exc)) from exc
        out.write_bytes(pdf)
        self.stdout.write(f"{out}: {len(pdf)} bytes, report id {reference}")

    def _date(self, value) -> date:
        if not value:
            return timezone.localdate()
        try:
            day = date.fromisoformat(value)
        except ValueError as exc:
            raise CommandError(f"--date must be a date as YYYY-MM-DD, not {value!r}.") from exc
        if day > timezone.localdate():
            raise CommandError("--date cannot be in the future.")
        return day

    def _scope(self, kind, options) -> ReportScope:
        municipality_code = options["municipality"]
        administration_id = options["administration"]
        region_code = options["region"]
        participant_id = options["participant"]
        given = {
            name
            for name, value in (
                ("--municipality", municipality_code),
                ("--administration", administration_id),
                ("--region", region_code),
                ("--participant", participant_id),
            )
            if value is not None
        }
        allowed = {
            ReportKind.PROGRESS: {"--municipality", "--administration"},
            ReportKind.COMPLIANCE: {"--municipality"},
            ReportKind.REGIONAL: {"--region"},
            ReportKind.CERTIFICATE: {"--participant"},
        }[kind]
        if given - allowed:
            raise CommandError(
                f"The {kind} report takes {' or '.join(sorted(allowed))}, "
                f"not {', '.join(sorted(given - allowed))}."
            )

        if kind == ReportKind.PROGRESS and administration_id is not None:
            administration = (
                Administration.objects.select_related("municipality")
                .filter(pk=administration_id)
                .first()
            )
            if administration is None:
                raise CommandError(f"No administration has the id {administration_id}.")
            if municipality_code and administration.municipality.code != municipality_code:
                raise CommandError(
                    f"Administration {administration_id} belongs to "
                    f"{administration.municipality.name} ({administration.municipality.code})."
                )
            return ReportScope.of_administration(administration)
        if kind in (ReportKind.PROGRESS, ReportKind.COMPLIANCE):
            if not municipality_code:
                raise CommandError(f"The {kind} report needs --municipality KOD.")
            municipality = Municipality.objects.filter(code=municipality_code).first()
            if municipality is None:
                raise CommandError(f"No municipality has the code {municipality_code!r}.")
            return ReportScope(municipality=municipality)
        if kind == ReportKind.REGIONAL:
            regions = Region.objects.all()
            if region_code:
                regions = regions.filter(county_code=region_code)
            found = list(regions[:2])
            if not found:
                raise CommandError(f"No region has the county code {region_code!r}.")
            if len(found) > 1:
                raise CommandError("There are several regions: name one with --region.")
            return ReportScope(region=found[0])
        if participant_id is None:
            raise CommandError("The certificate needs --participant ID.")
        participant = (
            Participant.objects.select_related("municipality").filter(pk=participant_id).first()
        )
        if participant is None:
            raise CommandError(f"No manager has the id {participant_id}.")
        return ReportScope(participant=participant)
