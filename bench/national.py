"""Times the national follow-up report over the synthetic nation.

    DEBUG=1 DATABASE_URL=postgres://postgres@127.0.0.1:5432/ledarskap_nation \\
        .venv/bin/python bench/national.py [--runs 3]

Works on `manage.py seed_scale --regions 21 --municipalities 290 --participants 20000`
(21 synthetic regions, county codes 99 downwards, sharing the 290 municipalities and the
20,000 managers), and loads it first when the database holds fewer synthetic regions.
Loading replaces the synthetic data, so use a database of its own, not the one the
other benches use. The report is built as `manage.py build_national_report` builds it
(queries, template, WeasyPrint), a few times, and measured as `bench/reports.py`
measures the regional report (`bench/timing.py`): total, data without the PDF, its SQL,
and WeasyPrint alone on the same HTML; the figures are medians. It prints the total
against the regional report's limits: 8 s, and 1.3 × (SQL + WeasyPrint alone). Never
run by the tests.
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
from django.utils import timezone, translation  # noqa: E402

from bench.timing import against_limits, time_build  # noqa: E402
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


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    regions = synthetic_regions()
    today = timezone.localdate()
    managers = Participant.objects.filter(municipality__region__in=regions).count()
    municipalities = Region.objects.filter(pk__in=regions).values("municipalities").count()
    print(
        f"{connection.settings_dict['NAME']}: {len(regions)} regions, {municipalities} "
        f"municipalities, {managers} managers, "
        f"{Provider.objects.filter(name__startswith='Syntetiska').count()} providers; "
        f"data date {today}; {args.runs} runs each, medians.",
        flush=True,
    )

    def build():
        # As `manage.py build_national_report` builds it.
        with translation.override("sv"):
            return national.build(
                data_date=today,
                reference="B",
                on_progress=lambda percent: None,
                region_ids=regions,
            )

    figures = time_build(f"National follow-up, {len(regions)} regions", national, build, args.runs)
    print(f"Side by side:\n{against_limits('national', figures)}", flush=True)


if __name__ == "__main__":
    main()
