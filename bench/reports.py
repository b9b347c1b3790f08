"""Times the regional follow-up and one municipality's compliance report at scale.

    DEBUG=1 DATABASE_URL=postgres://postgres@127.0.0.1:5432/ledarskap \\
        .venv/bin/python bench/reports.py [--runs 3]

Works on the synthetic region of `manage.py seed_scale --municipalities 290
--participants 20000` (county code 99), and loads it first when it is missing. Each
report is built as a worker builds it (queries, template, WeasyPrint), a few times;
the figures are medians, with the time spent before the PDF is drawn shown apart.
Never run by the tests.
"""

import argparse
import os
import statistics
import sys
import time
from io import BytesIO
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.template.loader import render_to_string  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402
from pypdf import PdfReader  # noqa: E402

from enrolment.models import Mandate, Participant  # noqa: E402
from programmes.models import Region  # noqa: E402
from reporting.builders import build_pdf, compliance, regional  # noqa: E402
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


class DataOnly:
    """Stands in for render_pdf: renders the HTML but draws no PDF."""

    def __init__(self, module):
        self.module = module

    def __enter__(self):
        self.real = self.module.render_pdf
        self.module.render_pdf = lambda name, context, on_progress: render_to_string(
            name, context
        ).encode()

    def __exit__(self, *exc):
        self.module.render_pdf = self.real


def time_report(label, kind, scope, module, data_date, runs):
    totals, data, queries, size = [], [], 0, 0
    for _run in range(runs):
        with DataOnly(module):
            started = time.perf_counter()
            build_pdf(kind=kind, scope=scope, data_date=data_date, language="sv", reference="B")
            data.append(time.perf_counter() - started)
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            pdf = build_pdf(
                kind=kind, scope=scope, data_date=data_date, language="sv", reference="B"
            )
            totals.append(time.perf_counter() - started)
        queries, size = len(captured), len(pdf)
    pages = len(PdfReader(BytesIO(pdf)).pages)
    print(
        f"{label}\n"
        f"  total  median {statistics.median(totals):6.2f} s  "
        f"(runs: {', '.join(f'{t:.2f}' for t in totals)})\n"
        f"  data   median {statistics.median(data):6.2f} s  "
        f"(queries, template; no PDF)\n"
        f"  {queries} queries, PDF {size / 1024:.0f} KiB, {pages} pages",
        flush=True,
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    region = synthetic_region()
    today = timezone.localdate()
    managers = Participant.objects.filter(municipality__region=region).count()
    print(
        f"Synthetic region: {region.municipalities.count()} municipalities, "
        f"{managers} managers; data date {today}; {args.runs} runs each.",
        flush=True,
    )
    time_report(
        "Regional follow-up, whole region",
        ReportKind.REGIONAL,
        ReportScope(region=region),
        regional,
        today,
        args.runs,
    )
    municipality = largest_with_mandate(region)
    if municipality is None:
        print("No synthetic municipality has a mandate: compliance report skipped.")
        return
    time_report(
        f"Compliance report, {municipality.name} ({municipality.managers} managers)",
        ReportKind.COMPLIANCE,
        ReportScope(municipality=municipality),
        compliance,
        today,
        args.runs,
    )


if __name__ == "__main__":
    main()
