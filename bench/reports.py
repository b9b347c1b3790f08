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

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, reset_queries  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.template.loader import render_to_string  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402
from pypdf import PdfReader  # noqa: E402

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


class DataOnly:
    """Stands in for render_pdf: renders the HTML but draws no PDF, and keeps the HTML."""

    def __init__(self, module):
        self.module = module
        self.html = ""

    def _render(self, name, context, on_progress):
        self.html = render_to_string(name, context)
        return self.html.encode()

    def __enter__(self):
        self.real = self.module.render_pdf
        self.module.render_pdf = self._render
        return self

    def __exit__(self, *exc):
        self.module.render_pdf = self.real


def weasyprint_alone(html: str) -> float:
    """Seconds WeasyPrint takes for the HTML, as `render_pdf` calls it."""
    from weasyprint import HTML

    started = time.perf_counter()
    HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf(pdf_variant="pdf/ua-1")
    return time.perf_counter() - started


def _runs(times) -> str:
    return f"{statistics.median(times):6.2f} s  (runs: {', '.join(f'{t:.2f}' for t in times)})"


def time_report(label, kind, scope, module, data_date, runs) -> dict:
    totals, data, sql, alone, queries, size = [], [], [], [], 0, 0
    for _run in range(runs):
        reset_queries()  # the log keeps 9,000 queries: a full one would count none
        with DataOnly(module) as only, CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            build_pdf(kind=kind, scope=scope, data_date=data_date, language="sv", reference="B")
            data.append(time.perf_counter() - started)
        sql.append(sum(float(q["time"]) for q in captured.captured_queries))
        queries = len(captured)
        alone.append(weasyprint_alone(only.html))
        started = time.perf_counter()
        pdf = build_pdf(kind=kind, scope=scope, data_date=data_date, language="sv", reference="B")
        totals.append(time.perf_counter() - started)
        size = len(pdf)
    pages = len(PdfReader(BytesIO(pdf)).pages)
    figures = {
        "total": statistics.median(totals),
        "data": statistics.median(data),
        "sql": statistics.median(sql),
        "alone": statistics.median(alone),
    }
    print(
        f"{label}\n"
        f"  total             {_runs(totals)}\n"
        f"  data (no PDF)     {_runs(data)}\n"
        f"  SQL               {_runs(sql)}  {queries} queries\n"
        f"  WeasyPrint alone  {_runs(alone)}\n"
        f"  PDF {size / 1024:.0f} KiB, {pages} pages",
        flush=True,
    )
    return figures


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
    r, p = figures["regional"], figures["progress"]
    bound = r["sql"] + r["alone"]
    print(
        "Side by side:\n"
        f"  regional: total {r['total']:.2f} s (limit 8 s); SQL {r['sql']:.2f} s + WeasyPrint "
        f"alone {r['alone']:.2f} s = {bound:.2f} s; total / that = {r['total'] / bound:.2f} "
        f"(limit 1.3); data {r['data']:.2f} s\n"
        f"  progress: total {p['total']:.2f} s; WeasyPrint alone {p['alone']:.2f} s; "
        f"total / that = {p['total'] / p['alone']:.2f} (limit 1.2)",
        flush=True,
    )


if __name__ == "__main__":
    main()
