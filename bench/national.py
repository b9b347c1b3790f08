"""Times the national follow-up report over the synthetic nation.

    DEBUG=1 DATABASE_URL=postgres://postgres@127.0.0.1:5432/ledarskap_nation \\
        .venv/bin/python bench/national.py [--runs 3]

Works on `manage.py seed_scale --regions 21 --municipalities 290 --participants 20000`
(21 synthetic regions, county codes 99 downwards, sharing the 290 municipalities and the
20,000 managers), and loads it first when the database holds fewer synthetic regions.
Loading replaces the synthetic data, so use a database of its own, not the one the
other benches use. The report is built as `reporting.builders.national.build` builds it
(queries, template, WeasyPrint), a few times; the figures are medians, with the time
spent before the PDF is drawn shown apart. Target: no slower than the regional report
(8 s). Never run by the tests.
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
from django.template.loader import render_to_string  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone, translation  # noqa: E402
from pypdf import PdfReader  # noqa: E402

from enrolment.models import Participant  # noqa: E402
from programmes.models import Provider, Region  # noqa: E402
from reporting.builders import national  # noqa: E402
from web.demo.scale import region_spec  # noqa: E402

REGIONS = 21
MUNICIPALITIES = 290
PARTICIPANTS = 20000


def synthetic_regions() -> list[int]:
    codes = [region_spec(n)["county_code"] for n in range(REGIONS)]
    regions = list(Region.objects.filter(county_code__in=codes).values_list("pk", flat=True))
    loaded = Participant.objects.filter(municipality__region__in=regions).exists()
    if len(regions) < REGIONS or not loaded:
        print(
            f"Loading seed_scale --regions {REGIONS} --municipalities {MUNICIPALITIES} "
            f"--participants {PARTICIPANTS} (a few minutes)…",
            flush=True,
        )
        call_command(
            "seed_scale",
            regions=REGIONS,
            municipalities=MUNICIPALITIES,
            participants=PARTICIPANTS,
        )
        regions = list(Region.objects.filter(county_code__in=codes).values_list("pk", flat=True))
    return regions


def _build(regions, data_date, *, draw: bool) -> bytes:
    real = national.render_pdf
    if not draw:
        national.render_pdf = lambda name, context, on_progress: render_to_string(
            name, context
        ).encode()
    try:
        with translation.override("sv"):
            return national.build(
                data_date=data_date,
                reference="B",
                on_progress=lambda percent: None,
                region_ids=regions,
            )
    finally:
        national.render_pdf = real


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    regions = synthetic_regions()
    today = timezone.localdate()
    managers = Participant.objects.filter(municipality__region__in=regions).count()
    municipalities = Region.objects.filter(pk__in=regions).values("municipalities").count()
    print(
        f"Synthetic nation: {len(regions)} regions, {municipalities} municipalities, "
        f"{managers} managers, {Provider.objects.filter(name__startswith='Syntetiska').count()} "
        f"providers; data date {today}; {args.runs} runs each.",
        flush=True,
    )
    totals, data = [], []
    for _run in range(args.runs):
        started = time.perf_counter()
        _build(regions, today, draw=False)
        data.append(time.perf_counter() - started)
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            pdf = _build(regions, today, draw=True)
            totals.append(time.perf_counter() - started)
    pages = len(PdfReader(BytesIO(pdf)).pages)
    print(
        "National follow-up, 21 regions\n"
        f"  total  median {statistics.median(totals):6.2f} s  "
        f"(runs: {', '.join(f'{t:.2f}' for t in totals)})\n"
        f"  data   median {statistics.median(data):6.2f} s  "
        f"(queries, template; no PDF)\n"
        f"  {len(captured)} queries, PDF {len(pdf) / 1024:.0f} KiB, {pages} pages",
        flush=True,
    )


if __name__ == "__main__":
    main()
