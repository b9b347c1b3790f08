"""Times the busiest pages on synthetic data, each beside the Django admin changelist of
the same managers in one run, and prints each median and its ratio to the changelist:
the managers list (first page, filtered, searched, sorted by hp), a manager's page, an
offering's page, the programme administrator's start page, and the compliance pages of
the region and of its largest municipality with a mandate.

    DEBUG=1 .venv/bin/python bench/pages.py \
        --database-url postgres://postgres@127.0.0.1:5432/ledarskap_bench20 [--runs 7]

Run it against the 20,000 and the 50,000 databases to see how each page grows. The
benchmark logs in a user of its own, so give it a database it may write to (a copy:
`createdb -T ledarskap_bench20 ledarskap_mine`). Loads `seed_scale --municipalities 290
--participants 20000` first when the synthetic region is missing. Never run by the test
suite.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")


def _arguments():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument(
        "--database-url", help="the database to time (default: DATABASE_URL of the environment)"
    )
    parser.add_argument(
        "--only", nargs="*", default=(), help="time only pages whose name holds one of these words"
    )
    args = parser.parse_args()
    if args.database_url:
        os.environ["DATABASE_URL"] = args.database_url
    return args


ARGS = _arguments()

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402

from enrolment.models import Mandate, Participant  # noqa: E402
from portal.accounts.models import Role, RoleAssignment, User  # noqa: E402
from programmes.models import CourseOffering, Region  # noqa: E402

SCALE_COUNTY = "99"
BASE = "admin changelist"


def ensure_data():
    region = Region.objects.filter(county_code=SCALE_COUNTY).first()
    if region is None or not Participant.objects.filter(municipality__region=region).exists():
        started = time.perf_counter()
        call_command("seed_scale", municipalities=290, participants=20000)
        print(f"seed_scale loaded in {time.perf_counter() - started:.1f} s")
        region = Region.objects.get(county_code=SCALE_COUNTY)
    return region


def bench_user(region):
    user, _ = User.objects.get_or_create(
        email="bench@example.invalid", defaults={"is_staff": True, "is_superuser": True}
    )
    RoleAssignment.objects.get_or_create(user=user, role=Role.PROGRAMME_ADMIN, region=region)
    return user


def timed(client, url):
    started = time.perf_counter()
    response = client.get(url)
    elapsed = (time.perf_counter() - started) * 1000
    assert response.status_code == 200, (url, response.status_code)
    return elapsed


def main():
    settings.ALLOWED_HOSTS = ["*"]
    region = ensure_data()
    client = Client()
    client.force_login(bench_user(region))
    participants = Participant.objects.filter(municipality__region=region)
    busy = (
        participants.annotate(n=Count("enrolments"))
        .order_by("-n", "pk")
        .values_list("pk", flat=True)
    )[0]
    offering = (
        CourseOffering.objects.filter(course__slot__programme__region=region)
        .annotate(n=Count("enrolments"))
        .order_by("-n", "pk")
        .first()
    )
    municipality = participants.values_list("municipality_id", flat=True).order_by("pk").first()
    mandated = (
        Mandate.objects.filter(municipality__region=region)
        .annotate(n=Count("municipality__participants"))
        .order_by("-n", "pk")
        .values_list("municipality__code", flat=True)
        .first()
    )
    managers = reverse("enrolment:participant_list")
    pages = {
        BASE: reverse("admin:enrolment_participant_changelist"),
        "manager list, first page": managers,
        "manager list, filtered": f"{managers}?municipality={municipality}&status=in_progress",
        "manager list, searched": f"{managers}?q=an",
        "manager list, sorted by hp": f"{managers}?ordering=-hp",
        "manager page": reverse("enrolment:participant_detail", args=[busy]),
        "offering page": reverse("enrolment:offering_detail", args=[offering.pk]),
        "programme admin start page": reverse("portal:programme_admin"),
        "regional compliance": reverse("enrolment:compliance_region"),
        "municipality compliance": reverse("enrolment:compliance_municipality", args=[mandated]),
    }
    if ARGS.only:
        pages = {
            name: url
            for name, url in pages.items()
            if name == BASE or any(word in name for word in ARGS.only)
        }
    queries = {}
    for name, url in pages.items():  # warm caches, templates and the connection
        with CaptureQueriesContext(connection) as captured:
            timed(client, url)
        queries[name] = len(captured)
    # Interleaved, so that a burst of load on the machine falls on every page alike.
    times = {name: [] for name in pages}
    for _ in range(ARGS.runs):
        for name, url in pages.items():
            times[name].append(timed(client, url))
    results = {name: statistics.median(values) for name, values in times.items()}
    base = results[BASE]
    print(
        f"{settings.DATABASES['default']['NAME']}: {participants.count()} managers, "
        f"{ARGS.runs} runs each, median:"
    )
    for name, ms in results.items():
        print(f"  {name:28} {ms:8.1f} ms   {ms / base:5.2f} × {BASE}   {queries[name]:3d} queries")


if __name__ == "__main__":
    main()
