"""Times the reports at scale and prints each beside what bounds it, in one run.

    DEBUG=1 DATABASE_URL=postgres://postgres@127.0.0.1:5432/ledarskap_bench20 \\
        .venv/bin/python bench/reports.py [--runs 3]

Works on the synthetic region of `manage.py seed_scale --municipalities 290
--participants 20000` (county code 99), and loads it first when it is missing. Each
report is built as a worker builds it (queries, template, WeasyPrint), a few times;
the figures are medians:

- total: the whole build, from the scope to the PDF's bytes;
- data: the same without the PDF (queries, Python, template);
- SQL: the time spent in the database during the data part;
- WeasyPrint alone: the same HTML laid out and written by WeasyPrint, nothing else.

It prints the regional report's total against 8 s and against 1.3 × (SQL + WeasyPrint
alone), and the progress report's total against 1.2 × WeasyPrint alone. Never run by the
tests.
"""

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench.timing import against_limits, time_build  # noqa: E402
from enrolment.models import Mandate, Participant  # noqa: E402
from programmes.models import Administration, Region  # noqa: E402
from reporting.builders import build_pdf, compliance, progress, regional  # noqa: E402
from reporting.models import ReportKind, ReportScope  # noqa: E402

SYNTHETIC = "99"
MUNICIPALITIES = 290
PARTICIPANTS = 20000


def synthetic_region() -> Region:
    region = Region.objects.filter(county_code=SYNTHETIC).first()
    if region is None or not Participant.objects.filter(municipality__region=region).exists():
        print(
            f"Loading seed_scale --municipalities {MUNICIPALITIES} "
            f"--participants {PARTICIPANTS} (a few minutes)…",
            flush=True,
        )
        call_command("seed_scale", municipalities=MUNICIPALITIES, participants=PARTICIPANTS)
        region = Region.objects.get(county_code=SYNTHETIC)
    return region


def largest_with_mandate(region: Region):
    mandated = Mandate.objects.filter(municipality__region=region).values("municipality")
    return (
        region.municipalities.filter(pk__in=mandated)
        .annotate(managers=Count("participants"))
        .order_by("-managers", "name")
        .first()
    )


def time_report(label, kind, scope, module, data_date, runs) -> dict:
    def build():
        return build_pdf(kind=kind, scope=scope, data_date=data_date, language="sv", reference="B")

    return time_build(label, module, build, runs)


def largest_administration(region: Region):
    return (
        Administration.objects.filter(municipality__region=region)
        .annotate(managers=Count("participants"))
        .order_by("-managers", "name")
        .select_related("municipality")
        .first()
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    region = synthetic_region()
    today = timezone.localdate()
    managers = Participant.objects.filter(municipality__region=region).count()
    print(
        f"{connection.settings_dict['NAME']}: {region.municipalities.count()} municipalities, "
        f"{managers} managers; data date {today}; {args.runs} runs each, medians.",
        flush=True,
    )
    figures = {}
    figures["regional"] = time_report(
        "Regional follow-up, whole region",
        ReportKind.REGIONAL,
        ReportScope(region=region),
        regional,
        today,
        args.runs,
    )
    administration = largest_administration(region)
    figures["progress"] = time_report(
        f"Progress report, {administration.name}, {administration.municipality.name} "
        f"({administration.managers} managers)",
        ReportKind.PROGRESS,
        ReportScope(municipality=administration.municipality, administration=administration),
        progress,
        today,
        args.runs,
    )
    municipality = largest_with_mandate(region)
    if municipality is not None:
        figures["compliance"] = time_report(
            f"Compliance report, {municipality.name} ({municipality.managers} managers)",
            ReportKind.COMPLIANCE,
            ReportScope(municipality=municipality),
            compliance,
            today,
            args.runs,
        )
    p = figures["progress"]
    print(
        "Side by side:\n"
        f"{against_limits('regional', figures['regional'])}\n"
        f"  progress: total {p['total']:.2f} s; WeasyPrint alone {p['alone']:.2f} s; "
        f"total / that = {p['total'] / p['alone']:.2f} (limit 1.2)",
        flush=True,
    )


if __name__ == "__main__":
    main()
